import Diagnostics
import Wire

extension MeshNode: DebugDataSource {
    public func debugSnapshot() async -> DebugSnapshot {
        var snapshot = DebugSnapshot()
        let now = ConnectionManager.now()
        let sessions = await manager.sessions
        let book = await manager.bookCounts()
        let totals = await manager.totals
        var metrics = MetricsSnapshot()
        metrics.declareLabels(
            sources: PeerSource.allCases.map(\.rawValue),
            dialFailureReasons: (ReasonCode.dialReasons + ReasonCode.handshakeReasons).map(\.rawValue),
            handshakeFailureReasons: ReasonCode.handshakeReasons.map(\.rawValue),
            disconnectReasons: ReasonCode.sessionReasons.map(\.rawValue) + Self.otherSessionEndings)
        metrics.bytesReceived = totals.bytesIn
        metrics.bytesSent = totals.bytesOut
        metrics.framesReceived = totals.framesIn
        metrics.framesSent = totals.framesOut
        let writeFailures = fileWrites.withLock { $0.failures }
        for file in FileWriteHealth.File.allCases {
            metrics.fileWriteFailures[file.rawValue] = writeFailures[file] ?? 0
        }
        var details: [PeerIP: (rtt: Double?, agent: String?)] = [:]
        for peer in await manager.livePeers {
            let info = await peer.snapshotInfo()
            details[peer.ip] = (info.rtt, info.agent)
            metrics.bytesReceived += info.traffic.0
            metrics.bytesSent += info.traffic.1
            metrics.framesReceived += info.traffic.2
            metrics.framesSent += info.traffic.3
        }
        snapshot.peers = sessions.sorted { $0.key < $1.key }.map { ip, session in
            DebugSnapshot.Peer(
                ip: ip.description, address: session.listenAddress.description, direction: session.direction.rawValue,
                connectedSinceUnix: Int(session.since), lastRTTMilliseconds: details[ip]?.rtt.map { $0 * 1000 },
                userAgent: details[ip]?.agent)
        }
        snapshot.hot = book.tiers[.hot] ?? 0
        snapshot.warm = book.tiers[.warm] ?? 0
        snapshot.cold = book.tiers[.cold] ?? 0
        snapshot.dialFailures = await manager.dialFailures
        var store = DebugSnapshot.Store()
        store.knownPeers = book.known
        store.connected = sessions.count
        store.connecting = await manager.connectingCount
        (store.banned, store.cooldown, store.unhealthy) = (book.banned, book.cooldown, book.unhealthy)
        if let cycle = lastCycleSummary {
            store.attemptedLastCycle = cycle.attempted
            store.connectedLastCycle = cycle.connected
            snapshot.cycle = (cycle.attempted, cycle.connected, cycle.finalConnected, cycle.target)
            snapshot.reasons = cycle.reasons.map { reason, entry in
                DebugSnapshot.ReasonTally(reason: reason.rawValue, count: entry.count, samples: entry.samples)
            }
        }
        snapshot.store = store
        snapshot.bannedPeers = store.banned
        let recent = await manager.recentHandshakeFailures
        snapshot.recentHandshakeFailures = (
            recent.count, Dictionary(uniqueKeysWithValues: recent.counts.map { ($0.key.rawValue, $0.value) })
        )
        for session in sessions.values { metrics.peersConnected[session.direction.rawValue, default: 0] += 1 }
        for (source, count) in totals.dialAttempts { metrics.dialAttempts[source.rawValue] = count }
        for (reason, sources) in totals.dialFailuresBySource {
            for (source, count) in sources {
                metrics.dialFailures[reason.rawValue, default: [:]][source.rawValue] = count
            }
        }
        for (reason, count) in totals.handshakeFailures { metrics.handshakeFailures[reason.rawValue] = count }
        let reports = await manager.reportSummary
        for (reason, sides) in reports.disconnects {
            for (side, count) in sides { metrics.disconnects[reason, default: [:]][side] = count }
        }
        snapshot.funnel = reports.funnel
        metrics.funnel = reports.funnelTotals
        snapshot.flapping = reports.flapping
        metrics.pingRTT = totals.pingRTT
        addBudgetMetrics(to: &metrics)
        let logged = logger.outsiderCounts()
        for event in Logger.outsiderEvents.union(logged.seen.keys) {
            metrics.outsiderLogEvents[event] = logged.seen[event] ?? 0
            metrics.outsiderLogSuppressed[event] = logged.suppressed[event] ?? 0
        }
        metrics.peerBookEntries = ["hot": snapshot.hot, "warm": snapshot.warm, "cold": snapshot.cold]
        snapshot.metrics = metrics
        snapshot.uptimeSeconds = Int(now - startedAt)
        snapshot.listenAddress = listenAddress.description
        snapshot.limits = .init(
            maximumPeers: configuration.maximumPeers, minimumOutbound: configuration.minimumOutbound,
            lan: configuration.lan, listenPort: Int(listenAddress.port))
        return snapshot
    }

    public func why(ip: String) async -> PeerWhy? {
        guard let ip = PeerIP(parsing: ip) else { return nil }
        return await manager.why(ip)
    }

    public func connectNow(_ address: String) async -> Result<Void, ConnectRefusal> {
        let parsed: SocketAddress
        do {
            parsed = try SocketAddress(parsing: address)
        } catch {
            return .failure(ConnectRefusal(reason: ReasonCode.invalidAddress.rawValue, detail: "\(error)"))
        }
        guard let reason = await connect(to: parsed) else { return .success(()) }
        return .failure(ConnectRefusal(reason: reason.rawValue, detail: "\(parsed): \(reason)"))
    }

    /// Writes the two public report files, off the reactor (blocking I/O).
    func writeReports() async {
        guard store != nil else { return }
        let snapshot = await debugSnapshot()
        let directory = configuration.resolvedDataDirectory
        await withTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: globalConcurrentExecutor) {
                self.write(.reports) { () throws(SyscallError) in
                    _ = try PublicReports().write(snapshot, dataDirectory: directory)
                }
            }
        }
    }
}

extension MeshNode {
    /// Reasons a session can end besides `ReasonCode.sessionReasons` (INTERFACE.md, admission
    /// and control), so their counters exist before the first one happens.
    static let otherSessionEndings = ["evicted", "operator_disconnect", "operator_ban"]
}

extension PeerConnection {
    /// RTT (seconds), user agent, and traffic (bytes in/out, frames in/out).
    func snapshotInfo() -> (rtt: Double?, agent: String?, traffic: (Int, Int, Int, Int)) {
        let traffic = onConnection { ($0.bytesIn, $0.bytesOut, $0.framesIn, $0.framesOut) }
        return (lastRTT, remote?.userAgent, traffic)
    }
}
