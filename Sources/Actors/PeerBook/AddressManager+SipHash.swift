/// SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed hash behind the address manager's
/// buckets and the eviction's netgroup protection: without the per-install key an attacker
/// cannot compute which bucket or which protected netgroup its addresses land in.
public struct SipHashKey: Sendable, Equatable, Codable {
    public let k0: UInt64
    public let k1: UInt64

    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A fresh random key (the system generator).
    public static func random() -> SipHashKey {
        var generator = SystemRandomNumberGenerator()
        return SipHashKey(k0: generator.next(), k1: generator.next())
    }

    /// The 64-bit SipHash-2-4 of `bytes` under this key.
    public func hash(_ bytes: some Collection<UInt8>) -> UInt64 {
        var state = State(key: self)
        var word: UInt64 = 0
        var filled = 0
        for byte in bytes {
            word |= UInt64(byte) << (8 * UInt64(filled))
            filled += 1
            if filled == 8 {
                state.compress(word)
                word = 0
                filled = 0
            }
        }
        // The last block: the remaining bytes and the length's low byte on top.
        state.compress(word | (UInt64(truncatingIfNeeded: bytes.count) << 56))
        return state.finish()
    }

    /// The hash of a sequence of 64-bit words, each as 8 little-endian bytes.
    public func hash(words: UInt64...) -> UInt64 {
        // Each word is one whole 8-byte block, so no byte array is needed (a PeerList of 1,000
        // addresses hashes a few thousand times on the reactor): the same result as `hash`
        // of the bytes, whose last block is then empty but for the length.
        var state = State(key: self)
        for word in words { state.compress(word) }
        state.compress(UInt64(truncatingIfNeeded: words.count &* 8) << 56)
        return state.finish()
    }

    private struct State {
        var v0: UInt64
        var v1: UInt64
        var v2: UInt64
        var v3: UInt64

        init(key: SipHashKey) {
            v0 = key.k0 ^ 0x736f_6d65_7073_6575
            v1 = key.k1 ^ 0x646f_7261_6e64_6f6d
            v2 = key.k0 ^ 0x6c79_6765_6e65_7261
            v3 = key.k1 ^ 0x7465_6462_7974_6573
        }

        mutating func round() {
            v0 = v0 &+ v1
            v1 = v1.rotatedLeft(13) ^ v0
            v0 = v0.rotatedLeft(32)
            v2 = v2 &+ v3
            v3 = v3.rotatedLeft(16) ^ v2
            v0 = v0 &+ v3
            v3 = v3.rotatedLeft(21) ^ v0
            v2 = v2 &+ v1
            v1 = v1.rotatedLeft(17) ^ v2
            v2 = v2.rotatedLeft(32)
        }

        mutating func compress(_ message: UInt64) {
            v3 ^= message
            round()
            round()
            v0 ^= message
        }

        mutating func finish() -> UInt64 {
            v2 ^= 0xFF
            round()
            round()
            round()
            round()
            return v0 ^ v1 ^ v2 ^ v3
        }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
