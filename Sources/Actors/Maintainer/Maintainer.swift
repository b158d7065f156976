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
    /// candidate not dialed. Direct peers are always candidates; others until the
    /// outbound target is met.
    func planCycle() -> (dials: [(SocketAddress, PeerSource)], summary: CycleSummary) {
        table.advanceTick()
        var summary = CycleSummary(tick: table.tick)
        summary.target = table.limits.minimumOutbound
        var slots = table.limits.minimumOutbound - table.outboundCount - table.connecting.count
        var dials: [(SocketAddress, PeerSource)] = []
        // At the target only direct peers are candidates: skip sorting a large book.
        let candidates =
            slots > 0
            ? table.candidates(now: Self.now()) : table.book.records.values.filter { $0.source == .direct }
        for record in candidates {
            let isDirect = record.source == .direct
            guard isDirect || slots > 0 else { continue }
            if let reason = decideDial(record.address, source: record.source) {
                summary.note(reason, record.address)
            } else {
                dials.append((record.address, record.source))
                if !isDirect { slots -= 1 }
            }
        }
        summary.attempted = dials.count
        return (dials, summary)
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
    public var lastCycleSummary: CycleSummary? { lastCycle.get() }

    /// Runs one cycle and returns its summary.
    @discardableResult
    public func maintainerCycle() async -> CycleSummary {
        var (dials, summary) = await manager.planCycle()
        let outcomes = await withTaskGroup(of: (SocketAddress, ReasonCode?).self) { group in
            for (address, source) in dials {
                group.addTask(executorPreference: reactor) { (address, await self.dial(address, source: source)) }
            }
            var outcomes: [(SocketAddress, ReasonCode?)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        for (address, failure) in outcomes {
            if let failure { summary.note(failure, address) } else { summary.connected += 1 }
        }
        summary.finalConnected = await manager.sessions.count
        lastCycle.set(summary)
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
