import Wire

/// A peer's identity: its IP address alone, normalized (IPv4-mapped IPv6 folded to IPv4).
///
/// A value type rather than a string, so that registration and lookup can never disagree
/// on spelling; ordered numerically, which decides who dials whom (the higher IP dials).
public struct PeerIP: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let address: IPAddress

    public init(_ address: IPAddress) {
        self.address = address.normalized
    }

    /// Parses a numeric IPv4 or IPv6 address.
    public init?(parsing text: String) {
        guard let address = IPAddress(parsing: text) else { return nil }
        self.init(address)
    }

    public static func < (lhs: PeerIP, rhs: PeerIP) -> Bool { lhs.address < rhs.address }

    public var description: String { address.description }
}
