/// The four report stores fed by one call per event: the node records each thing that
/// happens to a peer with `record(_:ip:now:)` and each maintainer tick with `beginTick`,
/// and the debug endpoint reads the result (`why`, the funnel, the ledger, who is held off).
public struct PeerReports: Sendable {
    public var history: PeerHistory
    public var funnel: Funnel
    public var ledger: DisconnectLedger
    public var damper: FlapDamper

    public init(
        history: PeerHistory = PeerHistory(), funnel: Funnel = Funnel(), ledger: DisconnectLedger = DisconnectLedger(),
        damper: FlapDamper = FlapDamper()
    ) {
        self.history = history
        self.funnel = funnel
        self.ledger = ledger
        self.damper = damper
    }

    /// Records `event` about `ip` (its normalized IP text) at `now` (Unix seconds). A session
    /// end also goes to the ledger and the damper; a hold it starts is recorded as `flapping`.
    public mutating func record(_ event: PeerDecision, ip: String, now: Double) {
        history.record(event, ip: ip, now: now)
        funnel.record(event, ip: ip, now: now)
        guard case .disconnected(let reason, let side, let remoteReason) = event else { return }
        ledger.record(reason: reason, side: side, remoteReason: remoteReason, ip: ip, now: now)
        if let until = damper.recordDrop(ip: ip, reason: reason, now: now) {
            history.record(.flapping(until: until), ip: ip, now: now)
        }
    }

    /// A maintainer tick began (see `Funnel.beginTick`).
    public mutating func beginTick(_ tick: Int, known: Int, connected: @autoclosure () -> Set<String>, now: Double) {
        funnel.beginTick(tick, known: known, connected: connected(), now: now)
    }

    /// What the stores know about `ip`, or nil if they know nothing.
    public func why(ip: String, now: Double) -> PeerWhy? {
        let entries = history.entries(for: ip)
        let ledger = ledger.ledger(for: ip)
        let hold = damper.holdUntil(ip: ip, now: now)
        guard entries != nil || ledger != nil || hold != nil else { return nil }
        var why = PeerWhy(ip: ip)
        why.decisions = entries ?? []
        why.disconnects = ledger
        why.flappingUntilUnix = hold
        return why
    }
}

/// One peer's decision chain, as `GET /api/p2p/why/IP` answers it. The stores fill the
/// history; the node adds what its peer book and session table say now.
public struct PeerWhy: Sendable {
    public var ip: String
    public var decisions: [PeerHistory.Entry] = []
    public var disconnects: DisconnectLedger.PeerLedger?
    public var flappingUntilUnix: Double?
    /// From the peer book (nil when the book does not hold the IP).
    public var address: String?
    public var source: String?
    public var cooldownUntilUnix: Double?
    public var bannedUntilUnix: Double?
    public var failures: Int?
    /// The session now, if any: its direction and start.
    public var connectedDirection: String?
    public var connectedSinceUnix: Double?

    public init(ip: String) {
        self.ip = ip
    }
}
