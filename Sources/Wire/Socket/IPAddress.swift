/// An IPv4 or IPv6 address as numbers, so that equality and ordering never depend on spelling.
///
/// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are folded to IPv4 when parsed or read from
/// the kernel: a peer is the same peer whichever family its socket used. Ordering compares
/// numerically, every IPv4 address below every IPv6 address.
public enum IPAddress: Hashable, Sendable, Comparable {
    /// An IPv4 address in host byte order (`127.0.0.1` is `0x7F00_0001`).
    case v4(UInt32)
    /// An IPv6 address as its high and low 64 bits, host byte order.
    case v6(UInt64, UInt64)

    /// Folds an IPv4-mapped IPv6 address to IPv4; other addresses are returned unchanged.
    public var normalized: IPAddress {
        if case .v6(let high, let low) = self, high == 0, low >> 32 == 0xFFFF {
            return .v4(UInt32(truncatingIfNeeded: low))
        }
        return self
    }

    /// True for IPv4.
    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        switch self {
        case .v4(let value): return value >> 24 == 127
        case .v6(let high, let low): return high == 0 && low == 1
        }
    }

    /// 0.0.0.0 or ::.
    public var isUnspecified: Bool {
        switch self {
        case .v4(let value): return value == 0
        case .v6(let high, let low): return high == 0 && low == 0
        }
    }

    /// RFC 1918, link-local, CGNAT (100.64/10) and IPv6 unique-local / link-local ranges.
    public var isPrivate: Bool {
        switch self {
        case .v4(let value):
            let a = value >> 24
            let b = (value >> 16) & 0xFF
            return a == 10 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
                || (a == 169 && b == 254) || (a == 100 && (64...127).contains(b))
        case .v6(let high, _):
            return high >> 57 == 0x7E  // fc00::/7
                || high >> 54 == 0x3FA  // fe80::/10
        }
    }

    /// Multicast, broadcast and reserved ranges that can never be a peer.
    public var isUnroutable: Bool {
        switch self {
        case .v4(let value):
            return value >> 28 == 0xE || value >> 28 == 0xF || value >> 24 == 0
        case .v6(let high, _):
            return high >> 56 == 0xFF
        }
    }
}

extension IPAddress: CustomStringConvertible {
    /// The canonical text form (`127.0.0.2`, `2001:db8::1`).
    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
        case .v6(let high, let low):
            return IPAddress.formatIPv6(high: high, low: low)
        }
    }

    static func formatIPv6(high: UInt64, low: UInt64) -> String {
        let groups: [UInt16] = (0..<8).map { index in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (UInt64(3 - index % 4) * 16))
        }
        // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on ties.
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8 && groups[index] == 0 { index += 1 }
            if index - start > bestLength && index - start >= 2 {
                bestStart = start
                bestLength = index - start
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
