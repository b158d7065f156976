import Wire

/// The secret behind correlatable redaction: 128 random bits kept in `<data-dir>/.redact-key`
/// (32 hex digits, mode 0600), created once, so one node tags one peer the same way across
/// restarts while two nodes' tags cannot be compared.
public struct RedactionKey: Sendable, Equatable {
    public let k0: UInt64
    public let k1: UInt64

    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A fresh random key.
    public static func random() -> RedactionKey {
        var generator = SystemRandomNumberGenerator()
        return RedactionKey(k0: generator.next(), k1: generator.next())
    }

    /// The file name inside a data dir.
    public static let fileName = ".redact-key"

    /// Why the key file could not be used.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads `<dataDirectory>/.redact-key`, creating it (mode 0600) with a random key the first
    /// time. A file that is not 32 hex digits is refused, not overwritten: it may be someone
    /// else's file, and the operator decides.
    public static func loadOrCreate(dataDirectory: String) throws(Failure) -> RedactionKey {
        let path = dataDirectory + "/" + fileName
        do {
            let fresh = random()
            if try Posix.createSecretFile(path, Array((fresh.hex + "\n").utf8)) { return fresh }
            guard let bytes = try Posix.readFile(path, maximumBytes: 64) else {
                throw Failure(description: "\(path) vanished while being read")
            }
            guard let key = RedactionKey(hex: bytes) else {
                throw Failure(description: "\(path) is not 32 hex digits; delete it and a new key is made")
            }
            return key
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: "cannot use \(path): \(error)")
        }
    }

    /// 32 lowercase hex digits (k0 then k1).
    public var hex: String {
        func digits(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return digits(k0) + digits(k1)
    }

    /// Parses 32 hex digits, with trailing whitespace allowed.
    public init?(hex bytes: [UInt8]) {
        var text = bytes[...]
        while let last = text.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 {
            text = text.dropLast()
        }
        guard text.count == 32, text.allSatisfy({ Self.hexValue($0) != nil }) else { return nil }
        func value(_ slice: ArraySlice<UInt8>) -> UInt64 {
            slice.reduce(0) { $0 << 4 | UInt64(Self.hexValue($1)!) }
        }
        k0 = value(text.prefix(16))
        k1 = value(text.suffix(16))
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        case 0x41...0x46: return byte - 0x41 + 10
        default: return nil
        }
    }

    /// Six hex digits of the keyed hash of `ip` (IPv4-mapped IPv6 hashed as its IPv4, so one
    /// peer gets one tag whatever form it arrived in).
    public func tag(for ip: IPAddress) -> String {
        var bytes: [UInt8]
        switch ip.normalized {
        case .v4(let value): bytes = (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            bytes += (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
        let text = String(SipHash.hash(bytes, k0: k0, k1: k1) >> 40, radix: 16)
        return String(repeating: "0", count: 6 - text.count) + text
    }
}

/// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit PRF for short inputs, the one
/// hash tables use against chosen keys. Checked against the paper's test vector.
enum SipHash {
    static func hash(_ message: [UInt8], k0: UInt64, k1: UInt64) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1
        func round() {
            v0 &+= v1
            v1 = v1.rotatedLeft(13) ^ v0
            v0 = v0.rotatedLeft(32)
            v2 &+= v3
            v3 = v3.rotatedLeft(16) ^ v2
            v0 &+= v3
            v3 = v3.rotatedLeft(21) ^ v0
            v2 &+= v1
            v1 = v1.rotatedLeft(17) ^ v2
            v2 = v2.rotatedLeft(32)
        }
        let whole = message.count / 8 * 8
        var index = 0
        while index < whole {
            var m: UInt64 = 0
            for offset in 0..<8 { m |= UInt64(message[index + offset]) << (8 * offset) }
            v3 ^= m
            round()
            round()
            v0 ^= m
            index += 8
        }
        var last = UInt64(truncatingIfNeeded: message.count) << 56
        for offset in 0..<(message.count - whole) { last |= UInt64(message[whole + offset]) << (8 * offset) }
        v3 ^= last
        round()
        round()
        v0 ^= last
        v2 ^= 0xFF
        for _ in 0..<4 { round() }
        return v0 ^ v1 ^ v2 ^ v3
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
