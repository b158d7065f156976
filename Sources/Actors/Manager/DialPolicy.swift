import Wire

/// Address filters applied before any dial (and to gossip before it enters the book).
public struct DialPolicy: Sendable {
    public var lan: Bool
    public var ipv4Only: Bool
    /// Our own addresses: never dialed.
    public var ownAddresses: Set<PeerIP>

    public init(lan: Bool, ipv4Only: Bool, ownAddresses: Set<PeerIP> = []) {
        self.lan = lan
        self.ipv4Only = ipv4Only
        self.ownAddresses = ownAddresses
    }

    /// The skip reason for `address`, or nil if it may be dialed.
    public func skipReason(for address: SocketAddress) -> ReasonCode? {
        let ip = address.ip
        if address.port == 0 || ip.isUnspecified || ip.isUnroutable { return .invalidAddress }
        if ownAddresses.contains(PeerIP(ip)) { return .selfDialBlocked }
        if ipv4Only && !ip.isIPv4 { return .ipv6Blocked }
        if !lan && ip.isLoopback { return .loopbackBlocked }
        if !lan && ip.isPrivate { return .privateIPBlocked }
        return nil
    }
}
