import Diagnostics
import Wire

/// Feeds the report stores (`PeerReports`: why, funnel, disconnect ledger, flap damping) from
/// the manager's own decisions and the table's reported events: one call per event, in the
/// step that decides it, so what `why` shows is what the table decided.
extension ConnectionManager {
    /// A dial decision (`skip` nil: dialed). The first decision of a maintainer tick starts
    /// the tick's funnel.
    func noteDecision(_ address: SocketAddress, source: PeerSource, skip: ReasonCode?) {
        let now = Self.now()
        reports.beginTick(
            table.tick, known: table.book.count, connected: Set(table.sessions.keys.map(\.description)), now: now)
        let event: PeerDecision = skip.map { .skipped(reason: $0.rawValue) } ?? .dialed(source: source.rawValue)
        reports.record(event, ip: PeerIP(address.ip).description, now: now)
    }

    /// An event the table reported; `peer` is the connection in hand, if any (for a session's
    /// end, the reason the peer gave in its Disconnect is read from it).
    func noteReport(_ event: PeerTable.Event, peer: PeerConnection?) {
        let now = Self.now()
        switch event {
        case .connected(let ip, _, let direction, _):
            reports.record(.connected(direction: direction.rawValue), ip: ip.description, now: now)
        case .disconnected(let ip, let id, _, let reason):
            // Same reactor: the ending session's state is reachable synchronously.
            let remote = peer?.id == id ? peer?.assumeIsolated { $0.remoteReason?.rawValue } : nil
            let side = DisconnectSide.of(reason: reason.rawValue)
            reports.record(
                .disconnected(reason: reason.rawValue, side: side, remoteReason: remote), ip: ip.description, now: now)
        case .dialFailed(let address, let reason, let handshake):
            let ip = PeerIP(address.ip)
            let cooldown = table.book[ip]?.cooldownUntil
            reports.record(
                .dialFailed(reason: reason.rawValue, handshake: handshake, cooldownUntil: cooldown),
                ip: ip.description, now: now)
        case .inboundHandshakeFailed(let ip, let reason):
            reports.record(.inboundHandshakeFailed(reason: reason.rawValue), ip: ip.description, now: now)
        case .banned(let ip, let until):
            reports.record(
                .banned(until: until, reason: ReasonCode.protocolViolation.rawValue), ip: ip.description, now: now)
        case .duplicateClosed:
            break
        }
    }

    /// One peer's decision chain with what the book and the table say of it now; nil if the
    /// node knows nothing of the IP.
    func why(_ ip: PeerIP) -> PeerWhy? {
        let now = Self.now()
        let record = table.book[ip]
        let session = table.sessions[ip]
        guard
            var why = reports.why(ip: ip.description, now: now)
                ?? (record != nil || session != nil ? PeerWhy(ip: ip.description) : nil)
        else { return nil }
        if let record {
            why.address = record.address.description
            why.source = record.source.rawValue
            why.cooldownUntilUnix = record.cooldownUntil.flatMap { $0 > now ? $0 : nil }
            why.bannedUntilUnix = record.bannedUntil.flatMap { $0 > now ? $0 : nil }
            why.failures = record.failures
        }
        if let session {
            why.address = why.address ?? session.listenAddress.description
            why.connectedDirection = session.direction.rawValue
            why.connectedSinceUnix = session.since
        }
        return why
    }

    /// The funnel's ticks and totals, the peers held off as flapping, and session ends by reason and side.
    var reportSummary:
        (
            funnel: [Funnel.Tick], funnelTotals: [String: Int], flapping: [(ip: String, untilUnix: Double)],
            disconnects: [String: [String: Int]]
        )
    {
        let held = reports.damper.held(now: Self.now()).map { (ip: $0.ip, untilUnix: $0.until) }
        return (reports.funnel.ticks, reports.funnel.totals, held, reports.ledger.totalsByReason)
    }

    /// Whether the flap damper holds `ip` off now (`flapping`).
    func isFlapping(_ ip: PeerIP) -> Bool {
        reports.damper.holdUntil(ip: ip.description, now: Self.now()) != nil
    }
}
