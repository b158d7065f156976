import Wire

/// A peer's identity: its IP address alone, normalized (IPv4-mapped IPv6 folded to IPv4).
///
/// A value type rather than a string, so that registration and lookup can never disagree
/// on spelling; ordered numerically, which decides who dials whom (the higher IP dials).
public struct PeerIP: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The IP address, normalized.
    public let address: IPAddress

    /// The identity of `address` (an IPv4-mapped IPv6 address becomes the IPv4 one).
    public init(_ address: IPAddress) {
        self.address = address.normalized
    }

    /// Parses a numeric IPv4 or IPv6 address.
    public init?(parsing text: String) {
        guard let address = IPAddress(parsing: text) else { return nil }
        self.init(address)
    }

    /// Numeric order of the addresses (IPv4 before IPv6).
    public static func < (lhs: PeerIP, rhs: PeerIP) -> Bool { lhs.address < rhs.address }

    /// `1.2.3.4` or `2001:db8::1`.
    public var description: String { address.description }
}
