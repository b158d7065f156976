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

    public static func < (lhs: NetworkGroup, rhs: NetworkGroup) -> Bool { lhs.value < rhs.value }

    public var description: String {
        if value >> 63 == 0 { return "\(value >> 8).\(value & 0xFF).0.0/16" }
        let prefix = value & 0xFFFF_FFFF
        return "\(String(prefix >> 16, radix: 16)):\(String(prefix & 0xFFFF, radix: 16))::/32"
    }
}
