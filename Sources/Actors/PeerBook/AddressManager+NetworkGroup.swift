import Wire

/// The network group of an address (IPv4 /16, IPv6 /32): the unit an attacker pays for.
/// Addresses in one group are cheap to hold together (one provider, one subnet), so limits
/// and protections count groups, never addresses. IPv4 and IPv6 groups never collide.
public struct NetworkGroup: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: UInt64

    public init(_ ip: IPAddress) {
        switch ip.normalized {
        case .v4(let address): value = UInt64(address >> 16)
        case .v6(let high, _): value = (1 << 63) | (high >> 32)
        }
    }

    public init(_ ip: PeerIP) { self.init(ip.address) }

    /// A group of one address (`--lan`, where /16s mean nothing). Tagged apart from the
    /// /16 and /32 groups so that the two kinds never coincide.
    public init(wholeAddress ip: IPAddress) {
        switch ip.normalized {
        case .v4(let address): value = (1 << 62) | UInt64(address)
        case .v6(let high, let low): value = (3 << 62) | ((high ^ low.byteSwapped) & ((1 << 62) - 1))
        }
    }

    /// A group as persisted (`value`); any number is a valid hash input.
    public init(rawValue: UInt64) { value = rawValue }

    public static func < (lhs: NetworkGroup, rhs: NetworkGroup) -> Bool { lhs.value < rhs.value }

    public var description: String {
        if value >> 62 == 1 { return IPAddress.v4(UInt32(truncatingIfNeeded: value)).description + "/32" }
        if value >> 62 == 3 { return "ipv6-address-\(String(value & ((1 << 62) - 1), radix: 16))" }
        if value >> 63 == 0 { return "\(value >> 8).\(value & 0xFF).0.0/16" }
        let prefix = value & 0xFFFF_FFFF
        return "\(String(prefix >> 16, radix: 16)):\(String(prefix & 0xFFFF, radix: 16))::/32"
    }
}
