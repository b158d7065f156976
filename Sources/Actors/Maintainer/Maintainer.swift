import Diagnostics
import Wire

/// One maintainer cycle's figures (rendered into the public report files by Diagnostics).
public struct CycleSummary: Sendable {
    public var tick: Int
    public var attempted = 0
    public var connected = 0
    /// Sessions held after the cycle, and the outbound target.
    public var finalConnected = 0
    public var target = 0
    /// Skip reasons and failure reasons of this cycle, with up to 5 sample addresses each.
    public var reasons: [ReasonCode: (count: Int, samples: [String])] = [:]

    mutating func note(_ reason: ReasonCode, _ address: SocketAddress) {
        var entry = reasons[reason] ?? (0, [])
        entry.count += 1
        if entry.samples.count < 5 { entry.samples.append(address.description) }
        reasons[reason] = entry
    }
}

extension ConnectionManager {
    /// Picks this cycle's dials (each one now `connecting`) and the skip reason of every
    /// candidate considered but not dialed. Direct peers are always candidates; others until
    /// the outbound target is met. Candidates not reached are returned as the reserve from
    /// which failed dials are replaced within the same cycle.
    func planCycle() -> (dials: [(SocketAddress, PeerSource)], reserve: [PeerRecord], summary: CycleSummary) {
        table.advanceTick()
        var summary = CycleSummary(tick: table.tick)
        summary.target = table.limits.minimumOutbound
        var slots = table.limits.minimumOutbound - table.outboundCount - table.connecting.count
        var dials: [(SocketAddress, PeerSource)] = []
        // At the target only direct peers are candidates: skip sorting a large book.
        let candidates =
            slots > 0
            ? table.candidates(now: Self.now()) : table.book.records.values.filter { $0.source == .direct }
        var reserve: [PeerRecord] = []
        for record in candidates {
            let isDirect = record.source == .direct
            guard isDirect || slots > 0 else {
                reserve.append(record)
                continue
            }
            if let reason = decideDial(record.address, source: record.source) {
                summary.note(reason, record.address)
            } else {
                dials.append((record.address, record.source))
                if !isDirect { slots -= 1 }
            }
        }
        summary.attempted = dials.count
        // Below the target, ask every peer for more addresses each tick: a peer book that
        // only ever heard one PeerList (at connect) can run dry while the mesh is still forming.
        if table.outboundCount + dials.count < table.limits.minimumOutbound {
            for peer in peers.values {
                // Same reactor: the peer's connection is reachable synchronously.
                peer.assumeIsolated { $0.askForPeers() }
            }
        }
        return (dials, reserve, summary)
    }

    /// The next reserve candidate that may be dialed now (it is then `connecting`); the
    /// skip reasons of those passed over go into `summary`.
    func nextFromReserve(_ reserve: inout ArraySlice<PeerRecord>, summary: inout CycleSummary) -> (
        SocketAddress, PeerSource
    )? {
        guard table.outboundCount + table.connecting.count < table.limits.minimumOutbound else { return nil }
        while let record = reserve.popFirst() {
            if let reason = decideDial(record.address, source: record.source) {
                summary.note(reason, record.address)
            } else {
                return (record.address, record.source)
            }
        }
        return nil
    }
}

extension MeshNode {
    /// One task group per tick: plan, dial concurrently, record outcomes, persist.
    func maintainerLoop() async {
        while !Task.isCancelled && !stopRequested.isFired {
            let summary = await maintainerCycle()
            logger.log(
                .info, "maintainer.cycle",
                [
                    ("tick", .int(summary.tick)), ("attempted", .int(summary.attempted)),
                    ("connected", .int(summary.connected)), ("final_connected", .int(summary.finalConnected)),
                    ("target", .int(summary.target)),
                ])
            await stopRequested.wait(upTo: configuration.tick, on: reactor)
        }
    }

    /// The summary of the last completed cycle.
    public var lastCycleSummary: CycleSummary? { lastCycle.value }

    /// Runs one cycle and returns its summary.
    @discardableResult
    public func maintainerCycle() async -> CycleSummary {
        let (dials, reserveList, planned) = await manager.planCycle()
        var summary = planned
        var reserve = reserveList[...]
        // A failed dial is replaced at once from the reserve (bounded), so one tick can reach
        // the target even when the first candidates are full or gone.
        var replacements = 4 * max(1, configuration.minimumOutbound)
        await withTaskGroup(of: (SocketAddress, ReasonCode?).self) { group in
            for (address, source) in dials {
                group.addTask(executorPreference: reactor) { (address, await self.dial(address, source: source)) }
            }
            while let (address, failure) = await group.next() {
                guard let failure else {
                    summary.connected += 1
                    continue
                }
                summary.note(failure, address)
                guard replacements > 0, !stopRequested.isFired,
                    let (next, source) = await manager.nextFromReserve(&reserve, summary: &summary)
                else { continue }
                replacements -= 1
                summary.attempted += 1
                group.addTask(executorPreference: reactor) { (next, await self.dial(next, source: source)) }
            }
        }
        summary.finalConnected = await manager.sessions.count
        lastCycle.withLock { $0 = summary }
        await saveBookOffReactor()
        await writeReports()
        return summary
    }

    /// Writes the peer book from a task that does not prefer the reactor (file I/O blocks).
    func saveBookOffReactor() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: globalConcurrentExecutor) { await self.saveBook() }
        }
    }
}
