import Wire

/// The ConnectionManager's state and decisions, as a pure value: which peers are connecting
/// or connected in which direction, who may be dialed, and which of two simultaneous
/// connections survives. Every decision returns a reason code; time is passed in.
public struct PeerTable: Sendable {
    public struct Limits: Sendable {
        public var minimumOutbound: Int
        public var maximumPeers: Int
        public init(minimumOutbound: Int, maximumPeers: Int) {
            self.minimumOutbound = minimumOutbound
            self.maximumPeers = maximumPeers
        }
    }

    /// One established session.
    public struct Session: Sendable, Equatable {
        public let id: UInt64
        public let direction: Direction
        /// Unix seconds.
        public let since: Double
        /// Where the peer listens (its IP and the port from its handshake).
        public let listenAddress: SocketAddress
    }

    /// What `established` decided.
    public enum Verdict: Sendable, Equatable {
        /// Keep the new session.
        case keep
        /// Keep the new session and close the older one (id) as `duplicate_connection`.
        case keepAndClose(UInt64)
        /// Close the new session as the given reason.
        case reject(ReasonCode)
    }

    public var limits: Limits
    public var policy: DialPolicy
    public var book = PeerBook()
    public private(set) var sessions: [PeerIP: Session] = [:]
    public private(set) var connecting: Set<PeerIP> = []
    /// Inbound connections accepted but not yet through the handshake.
    public private(set) var pendingInbound = 0
    /// The maintainer tick at which a lower-IP node first deferred to a higher peer.
    private var deferredSince: [PeerIP: Int] = [:]
    public private(set) var tick = 0

    public init(limits: Limits, policy: DialPolicy) {
        self.limits = limits
        self.policy = policy
    }

    public var outboundCount: Int { sessions.values.lazy.filter { $0.direction == .outbound }.count }
    public var inboundCount: Int { sessions.count - outboundCount }
    /// Connections that count against `maximumPeers`.
    public var occupied: Int { sessions.count + connecting.count + pendingInbound }

    public mutating func advanceTick() {
        tick += 1
    }

    /// Decides a dial. `localIP` is the IP dials are bound to (nil if unknown). On nil (go),
    /// the peer is marked connecting; the caller must report the end with `dialFinished`.
    public mutating func decideDial(
        _ address: SocketAddress, source: PeerSource, localIP: IPAddress?, now: Double, bypassCooldown: Bool = false
    ) -> ReasonCode? {
        if let reason = policy.skipReason(for: address) { return reason }
        let ip = PeerIP(address.ip)
        if let record = book[ip], let until = record.bannedUntil, until > now { return .peerBanned }
        if sessions[ip] != nil { return .alreadyConnected }
        if connecting.contains(ip) { return .alreadyConnecting }
        if !bypassCooldown, let until = book[ip]?.cooldownUntil, until > now { return .cooldownActive }
        if !bypassCooldown && source == .gossip, let health = book[ip]?.health, health < PeerBook.unhealthyBelow {
            return .peerUnhealthy
        }
        if occupied >= limits.maximumPeers { return .maxPeersReached }
        // Direction: the higher IP dials. The lower waits one tick for it, then dials itself
        // (the higher may be unable to reach it); seeds and direct peers are dialed at once.
        if let localIP, PeerIP(localIP) < ip, !source.dialsImmediately, !bypassCooldown {
            let since = deferredSince[ip] ?? tick
            deferredSince[ip] = since
            if tick <= since { return .awaitingInbound }
        }
        connecting.insert(ip)
        book.recordAttempt(ip, now: now)
        return nil
    }

    /// A dial ended before or without a session (`reason` nil: it became a session).
    public mutating func dialFinished(_ ip: PeerIP, failure reason: ReasonCode?, now: Double) {
        connecting.remove(ip)
        if let reason { book.recordFailure(ip, reason: reason, now: now) }
    }

    /// Decides whether to take an inbound TCP connection at all.
    public mutating func admitInbound(_ ip: PeerIP, now: Double) -> ReasonCode? {
        if let until = book[ip]?.bannedUntil, until > now { return .peerBanned }
        if occupied >= limits.maximumPeers && sessions[ip] == nil && !connecting.contains(ip) {
            return .maxPeersReached
        }
        pendingInbound += 1
        return nil
    }

    /// An admitted inbound connection finished its handshake or failed it.
    public mutating func inboundHandshakeEnded() {
        pendingInbound = max(0, pendingInbound - 1)
    }

    /// A handshake completed. When a session with this IP already exists, both sides keep
    /// the connection the higher IP dialed and close the other, with no coordination.
    public mutating func established(
        _ ip: PeerIP, id: UInt64, direction: Direction, localIP: IPAddress, listenAddress: SocketAddress, now: Double
    ) -> Verdict {
        let new = Session(id: id, direction: direction, since: now, listenAddress: listenAddress)
        deferredSince[ip] = nil
        guard let existing = sessions[ip] else {
            sessions[ip] = new
            book.recordSuccess(ip, now: now)
            return .keep
        }
        let keepNew: Bool
        if existing.direction == direction {
            keepNew = true  // a reconnect: the peer (or we) no longer use the old one
        } else {
            // The higher IP is the dialer whose connection survives.
            let higherIsPeer = ip > PeerIP(localIP)
            let survivor: Direction = higherIsPeer ? .inbound : .outbound
            keepNew = direction == survivor
        }
        guard keepNew else { return .reject(.duplicateConnection) }
        sessions[ip] = new
        return .keepAndClose(existing.id)
    }

    /// A session ended. Returns true if it was the current one for its IP.
    @discardableResult
    public mutating func sessionClosed(_ ip: PeerIP, id: UInt64, reason: ReasonCode, now: Double) -> Bool {
        guard sessions[ip]?.id == id else { return false }
        sessions[ip] = nil
        if reason != .shutdown && reason != .duplicateConnection {
            book.recordFailure(ip, reason: reason, now: now)
            // A session that ran is not a failed dial: start the backoff at its base.
            if var record = book[ip], reason == .remoteClosed || reason == .pingTimeout {
                record.failures = min(record.failures, 1)
                record.cooldownUntil = now + book.cooldownBase
                book.overwrite(record)
            }
        }
        return true
    }

    /// The candidates of one maintainer cycle, in order: direct peers, seeds, then the book's
    /// hot, warm and cold peers by health.
    public func candidates(now: Double) -> [PeerRecord] {
        // (direct 0, seed 1, others 2; tier; health descending), computed once per record.
        let keyed = book.records.values.map { record in
            let group = record.source.dialsImmediately ? record.source.rank : 2
            return ((group, Self.tierRank(record.tier(now: now, connected: false)), -record.health), record)
        }
        return keyed.sorted { a, b in
            a.0 != b.0 ? a.0 < b.0 : a.1.address.ip < b.1.address.ip
        }.map(\.1)
    }

    private static func tierRank(_ tier: PeerTier) -> Int {
        switch tier {
        case .hot: return 0
        case .warm: return 1
        case .cold: return 2
        }
    }
}
