import Wire

/// The only authority on peer connection state, as a pure value: which peers are connecting,
/// handshaking or connected in which direction, which sessions are closing, who may be
/// dialed, and which of two simultaneous connections survives. Decisions return a reason
/// code; transitions return the `Action`s (register, unregister, close, report) that the
/// ConnectionManager carries out in the same step. Nothing else keeps a map of peers: the
/// registry is written only from these actions. Time is passed in.
public struct PeerTable: Sendable {
    /// One established session.
    public struct Session: Sendable, Equatable {
        public let id: UInt64
        public let direction: Direction
        /// Unix seconds.
        public let since: Double
        /// Where the peer listens (its IP and the port from its handshake).
        public let listenAddress: SocketAddress
    }

    /// A session that was told to close (a duplicate, shutdown, a ban) and whose task has not
    /// yet reported its end. It is not reachable; it is remembered so that its end is
    /// recognized and counted once.
    public struct Closing: Sendable, Equatable {
        public let ip: PeerIP
        public let direction: Direction
        /// Whether its start was reported (`connected`); then its end is reported too.
        public let announced: Bool
    }

    public var limits: Limits
    public var policy: DialPolicy
    public var book = PeerBook()
    public private(set) var sessions: [PeerIP: Session] = [:]
    public private(set) var connecting: Set<PeerIP> = []
    /// IPs with an inbound connection accepted but not yet through its handshake (one per IP).
    public internal(set) var pending: Set<PeerIP> = []
    /// IPs holding one of the manual slots (`--peer`, manual connects) while they have a
    /// session, a dial or a pending connection; they do not count against `maximumPeers`.
    public internal(set) var manual: Set<PeerIP> = []
    /// Recent inbound IPs (non-LAN), refused as `throttled` within the window.
    public var throttle = InboundThrottle()
    /// Saved outbound peers of the last run: dialed first, without the direction rule's wait
    /// (we dialed them before). Emptied as the planner takes them.
    public var anchors: [SocketAddress] = []
    /// Sessions told to close, by id, until their tasks report the end.
    public private(set) var closing: [UInt64: Closing] = [:]
    /// Set by `shutdown()`: no dial, accept or new session from then on.
    public private(set) var isStopping = false
    /// False while the application has networking off (`setNetworkActive(false)`): no dial,
    /// accept or new session, as after shutdown, until it is turned on again.
    public var networkActive = true
    /// The maintainer tick at which a lower-IP node first deferred to a higher peer.
    private var deferredSince: [PeerIP: Int] = [:]
    public private(set) var tick = 0

    public init(limits: Limits, policy: DialPolicy) {
        self.limits = limits
        self.policy = policy
    }

    public var outboundCount: Int { sessions.values.lazy.filter { $0.direction == .outbound }.count }
    public var inboundCount: Int { sessions.count - outboundCount }
    /// Inbound connections accepted but not yet through the handshake.
    public var pendingInbound: Int { pending.count }
    /// Sessions whose tasks have not reported their end: the current ones and the closing ones.
    public var liveSessionCount: Int { sessions.count + closing.count }

    public mutating func advanceTick() {
        tick += 1
    }

    /// Decides a dial. `localIP` is the IP dials are bound to (nil if unknown). On nil (go),
    /// the peer is marked connecting until the dial reports its end: `dialFailed`, or
    /// `established` once TCP and the handshake are done (one step, so the IP is never
    /// neither connecting nor connected in between).
    public mutating func decideDial(
        _ address: SocketAddress, source: PeerSource, localIP: IPAddress?, now: Double, bypassCooldown: Bool = false
    ) -> ReasonCode? {
        if isStopping { return .shutdown }
        if !networkActive { return .networkInactive }
        if let reason = policy.skipReason(for: address) { return reason }
        let ip = PeerIP(address.ip)
        let outcome = book.outcomes[ip]
        if let until = outcome?.bannedUntil, until > now { return .peerBanned }
        if sessions[ip] != nil { return .alreadyConnected }
        // An inbound connection of this IP is in its handshake: one connection per IP.
        if connecting.contains(ip) || pending.contains(ip) { return .alreadyConnecting }
        if !bypassCooldown, let until = outcome?.cooldownUntil, until > now { return .cooldownActive }
        if !bypassCooldown && source == .gossip, let health = outcome?.health, health < PeerBook.unhealthyBelow {
            return .peerUnhealthy
        }
        // `--peer` and manual connects take a manual slot while one is free, else a normal one.
        let counts = slotCounts()
        let takesManualSlot = source == .direct && counts.manual < limits.manualSlots
        if !takesManualSlot && counts.occupied >= limits.maximumPeers { return .maxPeersReached }
        // Direction: the higher IP dials. The lower waits one tick for it, then dials itself
        // (the higher may be unable to reach it); seeds, direct peers and anchors at once.
        let isAnchor = anchors.contains { PeerIP($0.ip) == ip }
        if let localIP, PeerIP(localIP) < ip, !source.dialsImmediately, !bypassCooldown, !isAnchor {
            let since = deferredSince[ip] ?? tick
            deferredSince[ip] = since
            if tick <= since { return .awaitingInbound }
        }
        connecting.insert(ip)
        if takesManualSlot { manual.insert(ip) }
        book.recordAttempt(ip, now: now)
        return nil
    }

    /// A dial of ours failed: in TCP (`handshake` false) or in its handshake.
    public mutating func dialFailed(
        _ address: SocketAddress, reason: ReasonCode, handshake: Bool, now: Double
    ) -> [Action] {
        let ip = PeerIP(address.ip)
        connecting.remove(ip)
        releaseSlotIfIdle(ip)
        // The node dialed itself under another of its addresses: never again.
        if reason == .selfConnection { policy.ownAddresses.insert(ip) }
        var actions: [Action] = [.report(.dialFailed(address, reason: reason, handshake: handshake))]
        recordFailure(ip, reason: reason, now: now, into: &actions)
        return actions
    }

    /// True off a LAN once we have an outbound session: then only the peers we dialed are
    /// asked for addresses, and an inbound peer's listen address is not learned as a new
    /// one. So inbound sessions, which anyone can open from any number of /16s, cannot fill
    /// the book that our outbound picks come from (Bitcoin Core asks only outbound peers).
    public var solicitsOutboundOnly: Bool {
        !policy.lan && sessions.values.contains { $0.direction == .outbound }
    }

    /// A handshake completed (a dial of ours, or an admitted inbound connection): the dial or
    /// the pending slot becomes a session in this one step. When the IP already has a session,
    /// both sides keep the connection the higher IP dialed and close the other, with no
    /// coordination; a second connection in the same direction is a reconnect and replaces
    /// the first. `localIP` is our end's IP.
    /// `dialed` is the address our dial reached (outbound): the one the address manager marks
    /// good; an inbound peer's listen address is only learned (it stays in new).
    public mutating func established(
        _ ip: PeerIP, id: UInt64, direction: Direction, localIP: IPAddress, listenAddress: SocketAddress, now: Double,
        dialed: SocketAddress? = nil
    ) -> [Action] {
        switch direction {
        case .outbound: connecting.remove(ip)
        case .inbound:
            pending.remove(ip)
            // A peer that dialed us names its listen address: pinned if we know the IP. A new
            // address is learned from it only on a LAN, or while we have no outbound session
            // (see `solicitsOutboundOnly`): else inbound sybils would fill the new table.
            if !solicitsOutboundOnly || book.addresses[ip] != nil {
                book.add(listenAddress, source: .handshake, now: now)
            }
        }
        deferredSince[ip] = nil
        if isStopping { return reject(ip, id: id, direction: direction, reason: .shutdown) }
        if !networkActive { return reject(ip, id: id, direction: direction, reason: .networkInactive) }
        if book.isBanned(ip, now: now) {
            return reject(ip, id: id, direction: direction, reason: .peerBanned)
        }
        let new = Session(id: id, direction: direction, since: now, listenAddress: listenAddress)
        let connected = Action.report(
            .connected(ip, id: id, direction: direction, listenAddress: listenAddress))
        guard let existing = sessions[ip] else {
            sessions[ip] = new
            book.recordSuccess(
                direction == .outbound ? dialed ?? listenAddress : listenAddress, direction: direction, now: now)
            return [.register(ip, id: id), connected]
        }
        guard Self.keepsNew(existing: existing.direction, new: direction, peer: ip, localIP: localIP) else {
            return reject(ip, id: id, direction: direction, reason: .duplicateConnection)
                + [.report(.duplicateClosed(ip))]
        }
        // The old session goes first: the manager finds it in the registry by this IP.
        closing[existing.id] = Closing(ip: ip, direction: existing.direction, announced: true)
        sessions[ip] = new
        return [
            .close(ip, id: existing.id, reason: .duplicateConnection), .report(.duplicateClosed(ip)),
            .register(ip, id: id), connected,
        ]
    }

    /// The direction rule: which of two sessions with one IP survives.
    static func keepsNew(existing: Direction, new: Direction, peer: PeerIP, localIP: IPAddress) -> Bool {
        // Same direction: a reconnect; the peer (or we) no longer use the old one.
        guard existing != new else { return true }
        // The higher IP is the dialer whose connection survives.
        let survivor: Direction = peer > PeerIP(localIP) ? .inbound : .outbound
        return new == survivor
    }

    /// A new session that will not be kept: closed before it was ever reachable.
    private mutating func reject(_ ip: PeerIP, id: UInt64, direction: Direction, reason: ReasonCode) -> [Action] {
        closing[id] = Closing(ip: ip, direction: direction, announced: false)
        releaseSlotIfIdle(ip)
        return [.close(ip, id: id, reason: reason)]
    }

    /// A session decided to close by itself (ping timeout, a rule broken): it stops being
    /// reachable now, not when its task ends (the linger can take a second), and the book
    /// records why. Nothing for a session that is not the IP's current one.
    public mutating func sessionClosing(_ ip: PeerIP, id: UInt64, reason: ReasonCode, now: Double) -> [Action] {
        guard let session = sessions[ip], session.id == id else { return [] }
        sessions[ip] = nil
        releaseSlotIfIdle(ip)
        closing[id] = Closing(ip: ip, direction: session.direction, announced: true)
        var actions: [Action] = [.unregister(ip)]
        recordEnd(ip, reason: reason, now: now, into: &actions)
        return actions
    }

    /// A session's task ended, the session current or one told to close; `reason` is why.
    public mutating func sessionEnded(_ ip: PeerIP, id: UInt64, reason: ReasonCode, now: Double) -> [Action] {
        if let closed = closing.removeValue(forKey: id) {
            guard closed.announced else { return [] }
            return [.report(.disconnected(closed.ip, id: id, direction: closed.direction, reason: reason))]
        }
        guard let session = sessions[ip], session.id == id else { return [] }
        sessions[ip] = nil
        releaseSlotIfIdle(ip)
        var actions: [Action] = [
            .unregister(ip), .report(.disconnected(ip, id: id, direction: session.direction, reason: reason)),
        ]
        recordEnd(ip, reason: reason, now: now, into: &actions)
        return actions
    }

    /// What the end of a session that ran means for the book.
    private mutating func recordEnd(_ ip: PeerIP, reason: ReasonCode, now: Double, into actions: inout [Action]) {
        guard reason != .shutdown && reason != .duplicateConnection else { return }
        recordFailure(ip, reason: reason, now: now, into: &actions)
        // A session that ran is not a failed dial: start the backoff at its base.
        if reason == .remoteClosed || reason == .pingTimeout, var outcome = book.outcomes[ip] {
            outcome.failures = min(outcome.failures, 1)
            outcome.cooldownUntil = now + book.cooldownBase
            book.outcomes[ip] = outcome
        }
    }

    /// Closes the IP's session from our side (shutdown, a ban): unreachable at once, counted
    /// as ended when its task reports the end.
    public mutating func close(_ ip: PeerIP, reason: ReasonCode) -> [Action] {
        guard let session = sessions.removeValue(forKey: ip) else { return [] }
        releaseSlotIfIdle(ip)
        closing[session.id] = Closing(ip: ip, direction: session.direction, announced: true)
        // Close first: the manager finds the session in the registry by this IP.
        return [.close(ip, id: session.id, reason: reason), .unregister(ip)]
    }

    /// Stops the table: every session is closed as `shutdown`, and no dial, accept or new
    /// session is taken from now on.
    public mutating func shutdown() -> [Action] {
        isStopping = true
        deferredSince = [:]
        return sessions.keys.sorted().flatMap { close($0, reason: .shutdown) }
    }

    /// Records a failure in the book; if it bans the IP, its session (if any) is closed.
    mutating func recordFailure(_ ip: PeerIP, reason: ReasonCode, now: Double, into actions: inout [Action]) {
        let wasBanned = book.isBanned(ip, now: now)
        book.recordFailure(ip, reason: reason, now: now)
        guard !wasBanned, let until = book.outcomes[ip]?.bannedUntil, until > now else { return }
        actions.append(.report(.banned(ip, until: until)))
        actions += close(ip, reason: .peerBanned)
    }
}
