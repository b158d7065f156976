import Diagnostics
import Wire

extension MeshNode {
    /// One task group per tick: plan, dial concurrently, record outcomes, persist.
    func maintainerLoop() async {
        while !Task.isCancelled && !stopRequested.isFired {
            let summary = await maintainerCycle()
            logSlowReactorPasses()
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

    /// A cycle's dials start this many per reactor pass (``Reactor/nextPass()`` before each
    /// batch): each is a socket and a connect and, when refused at once (an
    /// unreachable network, a closed port), a log line and a record. A `--lan` node drawing 64
    /// unreachable addresses from a 10,000-entry book held one pass ~10 ms starting them all
    /// together after planning; at 16 a batch plus the planning still passed 5 ms.
    static let dialsPerPass = 8

    /// The summary of the last completed cycle.
    public var lastCycleSummary: CycleSummary? { lastCycle.value }

    /// Runs one cycle and returns its summary.
    @discardableResult
    public func maintainerCycle() async -> CycleSummary {
        let (dials, draws, planned) = await manager.planCycle()
        var summary = planned
        var reserve = draws
        // A failed dial is replaced at once by a further draw (bounded), so one tick can reach
        // the target even when the first candidates are full or gone.
        var replacements = 4 * max(1, configuration.minimumOutbound)
        await withTaskGroup(of: (SocketAddress, ReasonCode?).self) { group in
            for (index, (address, source)) in dials.enumerated() {
                // The planning had its pass; each batch of dials gets one of its own.
                if index % Self.dialsPerPass == 0 {
                    await reactor.nextPass()
                    if stopRequested.isFired { break }
                }
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
