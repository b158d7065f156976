import Wire

extension PeerTable {
    /// How many connections of each kind the node takes (INTERFACE.md, "A hostile network").
    ///
    /// Outbound slots are reserved: inbound never holds more than `inboundSlots`, so the
    /// maintainer can always reach `minimumOutbound` however many peers connect to us.
    /// Connections not yet through their handshake count against inbound, one per IP, a few
    /// per network group and at most `pendingLimit` in all, so silent sockets cannot take
    /// the node's slots. `--peer` and manual connects have `manualSlots` of their own.
    public struct Limits: Sendable {
        public var minimumOutbound: Int
        public var maximumPeers: Int
        /// Slots for `--peer` and manual connects, outside `maximumPeers` (bitcoind's
        /// addnode has 8). When they are taken, such a dial uses a normal slot if one is free.
        public var manualSlots: Int
        /// Pending (not yet handshaked) inbound connections allowed per /16 (IPv6 /32).
        public static let pendingPerGroup = 2
        /// The default number of manual slots.
        public static let defaultManualSlots = 8

        public init(minimumOutbound: Int, maximumPeers: Int, manualSlots: Int = Limits.defaultManualSlots) {
            self.minimumOutbound = minimumOutbound
            self.maximumPeers = maximumPeers
            self.manualSlots = manualSlots
        }

        /// Slots inbound can never take: `minimumOutbound`, within `maximumPeers`.
        public var reservedOutbound: Int { min(max(0, minimumOutbound), max(0, maximumPeers)) }
        /// `maximumPeers − minimumOutbound` (0 when the outbound target takes every slot, as
        /// bitcoind's `nMaxInbound`).
        public var inboundSlots: Int { max(0, maximumPeers) - reservedOutbound }
        /// Pending inbound connections in all: half the inbound slots, so that sockets which
        /// never handshake leave the other half to peers that do.
        public var pendingLimit: Int { max(1, inboundSlots / 2) }
        /// Inbound connections (sessions and pending) from one /16 (IPv6 /32), off-LAN: half
        /// the inbound slots, so one provider's or attacker's network cannot take them all.
        public var inboundPerGroup: Int { max(1, inboundSlots / 2) }
    }

    /// The slots in use, per IP: an IP with a session, a dial or a pending connection holds
    /// one slot (two connections of one IP during a tie-break are still one peer).
    public struct SlotCounts: Sendable, Equatable {
        /// IPs in the manual slots.
        public var manual = 0
        /// Other IPs with an outbound session or a dial in flight.
        public var outbound = 0
        /// Other IPs with an inbound session or only a pending connection.
        public var inbound = 0
        /// The slots that count against `maximumPeers`.
        public var occupied: Int { outbound + inbound }
    }

    /// Counts the slots in use (O(peers): called per dial decision and accept, not per message).
    public func slotCounts() -> SlotCounts {
        var counts = SlotCounts(manual: manual.count)
        for (ip, session) in sessions where !manual.contains(ip) {
            if session.direction == .outbound { counts.outbound += 1 } else { counts.inbound += 1 }
        }
        for ip in connecting where sessions[ip] == nil && !manual.contains(ip) { counts.outbound += 1 }
        for ip in pending where sessions[ip] == nil && !connecting.contains(ip) && !manual.contains(ip) {
            counts.inbound += 1
        }
        return counts
    }

    /// Decides whether to take an inbound TCP connection at all, before any byte is read.
    /// On nil the connection holds a pending slot until `inboundFailed` or `established`.
    /// `localIP` is our end's IP (for the direction rule), nil if unknown.
    public mutating func admitInbound(_ ip: PeerIP, localIP: IPAddress? = nil, now: Double) -> ReasonCode? {
        if isStopping { return .shutdown }
        if !networkActive { return .networkInactive }
        if let until = book[ip]?.bannedUntil, until > now { return .peerBanned }
        let local = Self.isLAN(ip)
        // geth's inbound throttle; a refused attempt does not extend it.
        if !local && !throttle.admit(ip, now: now) { return .throttled }
        // One pending connection per IP: a second is a flood, never a tie-break.
        if pending.contains(ip) { return .ipLimit }
        // With a session, only the connection the direction rule would keep is worth a
        // handshake (a reconnect in the same direction replaces the old one).
        if let session = sessions[ip], let localIP,
            !Self.keepsNew(existing: session.direction, new: .inbound, peer: ip, localIP: localIP)
        {
            return .duplicateConnection
        }
        // A second connection of an IP we already hold (a simultaneous open, a reconnect) is
        // the same peer: no new slot, and bounded by the one-pending-per-IP rule. Only a new
        // IP is counted against the pending and inbound limits.
        if sessions[ip] == nil && !connecting.contains(ip) {
            if newPendingCount >= limits.pendingLimit { return .maxPeersReached }
            if !local {
                let group = PeerBook.networkGroup(ip.address)
                let pendingInGroup = pending.lazy.filter { PeerBook.networkGroup($0.address) == group }.count
                if pendingInGroup >= Limits.pendingPerGroup { return .netgroupLimit }
                if inboundCount(inGroup: group) >= limits.inboundPerGroup { return .netgroupLimit }
            }
            let counts = slotCounts()
            if counts.inbound >= limits.inboundSlots || counts.occupied >= limits.maximumPeers {
                return .maxPeersReached
            }
        }
        pending.insert(ip)
        return nil
    }

    /// An admitted inbound connection failed its handshake. A protocol violation counts
    /// toward a ban, inbound as outbound: the IP gets a book record if it has none.
    public mutating func inboundFailed(_ ip: PeerIP, reason: ReasonCode, now: Double) -> [Action] {
        pending.remove(ip)
        releaseSlotIfIdle(ip)
        var actions: [Action] = [.report(.inboundHandshakeFailed(ip, reason: reason))]
        if PeerBook.isViolation(reason) {
            // A record without a port (never dialed or shared) holds its violations and ban.
            if book[ip] == nil { book.add(SocketAddress(ip: ip.address, port: 0), source: .handshake, now: now) }
            recordFailure(ip, reason: reason, now: now, into: &actions)
        }
        return actions
    }

    /// Pending connections of IPs that hold nothing else (the ones the pending limit counts).
    public var newPendingCount: Int {
        pending.lazy.filter { sessions[$0] == nil && !connecting.contains($0) }.count
    }

    /// Inbound IPs (sessions, and pending connections of IPs without one) in a network group.
    func inboundCount(inGroup group: UInt64) -> Int {
        var count = 0
        for (ip, session) in sessions where session.direction == .inbound {
            if PeerBook.networkGroup(ip.address) == group { count += 1 }
        }
        for ip in pending where sessions[ip] == nil && PeerBook.networkGroup(ip.address) == group { count += 1 }
        return count
    }

    /// Frees the IP's manual slot once it holds no session, dial or pending connection.
    mutating func releaseSlotIfIdle(_ ip: PeerIP) {
        guard manual.contains(ip), sessions[ip] == nil, !connecting.contains(ip), !pending.contains(ip) else {
            return
        }
        manual.remove(ip)
    }

    /// Loopback and private addresses: exempt from the throttle and the network-group limits
    /// (on a LAN every peer shares one /16 by nature; geth exempts LAN IPs the same way).
    static func isLAN(_ ip: PeerIP) -> Bool {
        ip.address.isLoopback || ip.address.isPrivate
    }

    // MARK: Bans

    /// Bans the IP until `until` (Unix seconds) for `reason` (a misbehaviour, or
    /// `operator_ban`; kept as the record's `lastReason`): its session, if any, is closed, and
    /// it is refused both ways until then.
    public mutating func ban(_ ip: PeerIP, until: Double, reason: ReasonCode, now: Double) -> [Action] {
        book.ban(ip, until: until, reason: reason, now: now)
        let closeReason: ReasonCode = reason == .operatorBan ? .operatorBan : .peerBanned
        return [.report(.banned(ip, until: until))] + close(ip, reason: closeReason)
    }

    /// Lifts a ban (and the violations counted toward the next one); false if none was in force.
    @discardableResult
    public mutating func unban(_ ip: PeerIP, now: Double) -> Bool {
        book.unban(ip, now: now)
    }
}
