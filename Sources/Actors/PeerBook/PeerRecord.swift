import Wire

/// What the node knows about one peer (keyed by IP; the port is the one it listens on): a
/// view that `PeerBook` composes from the two places each fact lives in. The address, the
/// source, the last try and the last success we reached it come from the address manager's
/// entry; failures, cooldown, ban, violations, health and the last reason from the book's
/// outcome record. Changing a field here changes nothing until it is given back to
/// `PeerBook.overwrite`, which puts each fact back in its one home.
public struct PeerRecord: Sendable, Equatable {
    public var address: SocketAddress
    public var source: PeerSource
    /// Unix seconds.
    public var firstSeen: Double
    /// Our last dial (the address manager's last try).
    public var lastAttempt: Double?
    /// Our last dial that completed its handshake (an inbound session does not count: it
    /// says nothing about whether we can reach the peer).
    public var lastSuccess: Double?
    /// Consecutive failures since the last success.
    public var failures: Int = 0
    public var cooldownUntil: Double?
    public var bannedUntil: Double?
    /// Protocol violations since the last ban (incompatibility is not one: it gets a cooldown).
    public var violations: Int = 0
    /// 0…100: 100 after a success, 15 lower per consecutive failure.
    public var health: Int = 100
    /// The last failure's reason code.
    public var lastReason: String?

    public var ip: PeerIP { PeerIP(address.ip) }

    /// hot = connected within the last 10 minutes, warm = connected before, cold = never.
    public func tier(now: Double, connected: Bool) -> PeerTier {
        Self.tier(lastSuccess: lastSuccess, now: now, connected: connected)
    }

    /// The tier of a peer last reached at `lastSuccess` (nil: never).
    static func tier(lastSuccess: Double?, now: Double, connected: Bool) -> PeerTier {
        if connected { return .hot }
        guard let lastSuccess else { return .cold }
        return now - lastSuccess <= PeerBook.hotWindow ? .hot : .warm
    }
}

/// hot, warm or cold (INTERFACE.md, peer book).
public enum PeerTier: String, Sendable, Codable, CaseIterable {
    case hot, warm, cold
}
