import Diagnostics
import Wire

extension MeshNode {
    /// The budgets' tallies and the reactor's pass durations, for `/metrics`.
    func addBudgetMetrics(to metrics: inout MetricsSnapshot) {
        let budgets = context.budgetCounters.snapshot
        metrics.payloadsReceived = budgets.payloadsReceived
        metrics.payloadBytesReceived = budgets.payloadBytesReceived
        metrics.budgetPauses = ["receive": budgets.receivePauses, "send": budgets.sendPauses]
        metrics.getPeersIgnored = budgets.getPeersIgnored
        metrics.addressesRateLimited = budgets.addressesRateLimited
        metrics.addressSampleRefreshes = budgets.addressSampleRefreshes
        let passes = reactor.passStats
        metrics.reactorPass = Histogram(
            bounds: ReactorPassStats.bounds, counts: passes.counts, count: passes.count,
            sum: Double(passes.sumNanoseconds) / 1e9)
        metrics.reactorSlowPasses = passes.slowPasses
    }

    /// Logs the reactor passes over 100 ms since the last call, as one line (called once a
    /// maintainer cycle, so a peer that makes every pass slow cannot flood the log).
    func logSlowReactorPasses() {
        let slow = reactor.takeSlowPasses()
        guard slow.count > 0 else { return }
        logger.log(
            .warning, "reactor.slow_pass",
            [
                ("passes", .int(slow.count)),
                ("longest_ms", .double(Double(slow.longestNanoseconds) / 1e6)),
            ])
    }
}
