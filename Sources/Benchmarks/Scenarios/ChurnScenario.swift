import Actors
import Wire

/// `churn --nodes N --restart-every S --duration D`: nodes stopped and restarted at random;
/// how fast a restarted node is back at its target, and whether anything leaks.
enum ChurnScenario {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let count = try options.int("nodes", 50)
        let every = try options.double("restart-every", 0.2)
        let duration = try options.double("duration", 30)
        let tick = try options.double("tick", 0.5)
        let target = min(4, count - 1)
        let addresses = (0..<count).map { BenchNodes.address($0, block: 24) }
        let configurations = addresses.map { address in
            var configuration = BenchNodes.configuration(
                address, tick: tick, outbound: target, maxPeers: 4 * target + 8)
            configuration.seeds = Array(addresses.prefix(3)).filter { $0 != address }
            return configuration
        }
        let socketsBefore = ProcessStats.sockets
        let connectionsBefore = Connection.liveCount
        let rssStart = ProcessStats.rssKiB
        let reconnects = ReconnectLog()
        var leakedTasks = 0
        var restarts = 0
        var rssSettled = 0.0
        try await withThrowingTaskGroup(of: Void.self) { group in
            var nodes: [MeshNode?] = []
            for configuration in configurations {
                let node = try MeshNode(configuration: configuration, logger: .silent, persist: false)
                nodes.append(node)
                group.addTask { await node.run() }
            }
            _ = await BenchNodes.waitUntil(timeout: 30, interval: 0.05) {
                for case let node? in nodes where await node.manager.sessions.count < target { return false }
                return true
            }
            rssSettled = ProcessStats.rssKiB
            var generator = SystemRandomNumberGenerator()
            let end = now() + duration
            while now() < end {
                let index = Int.random(in: 0..<count, using: &generator)
                if let node = nodes[index], !reconnects.isComingBack(index) {
                    await node.shutdown()
                    leakedTasks += node.activeSessionTasks
                    let replacement = try MeshNode(
                        configuration: configurations[index], logger: .silent, persist: false)
                    nodes[index] = replacement
                    group.addTask { await replacement.run() }
                    let start = now()
                    reconnects.restarted(index)
                    restarts += 1
                    // A watcher per restart, polling every 5 ms: the figure is not rounded up to
                    // the restart period.
                    group.addTask {
                        let isBack = { await replacement.manager.sessions.count >= target }
                        // Past its first tick without its target: say why (its last cycle).
                        if await BenchNodes.waitUntil(timeout: 1.1 * tick, interval: 0.005, isBack) == nil {
                            await reportStraggler(replacement, target: target)
                        }
                        if await BenchNodes.waitUntil(timeout: 9 * tick, interval: 0.005, isBack) != nil {
                            reconnects.back(index, after: now() - start)
                        }
                    }
                }
                try await Task.sleep(for: .nanoseconds(Int64(every * 1e9)))
                if restarts % 25 == 0 { progress("churn: \(restarts) restarts, \(reconnects.count) reconnected") }
            }
            // Settle: the last restarted nodes get time to reconnect (each watcher gives up
            // after 10 ticks).
            _ = await BenchNodes.waitUntil(timeout: 10 * tick) { reconnects.count == restarts }
            await BenchNodes.shutdown(nodes.compactMap { $0 })
            for case let node? in nodes { leakedTasks += node.activeSessionTasks }
            try await group.waitForAll()
        }
        // Lingering closes finish on the reactor just after shutdown.
        _ = await BenchNodes.waitUntil(timeout: 3) { ProcessStats.sockets <= socketsBefore }
        var report = BenchReport("churn")
        report.set("nodes", count)
        report.set("restarts", restarts)
        let seconds = reconnects.seconds
        report.set("reconnected", seconds.count)
        report.set("reconnect_p50_s", percentile(seconds, 0.5))
        report.set("reconnect_p99_s", percentile(seconds, 0.99))
        report.set("reconnect_p99_ticks", percentile(seconds, 0.99) / tick)
        report.set("fds_leaked", max(0, ProcessStats.sockets - socketsBefore))
        report.set("connections_leaked", max(0, Connection.liveCount - connectionsBefore))
        report.set("tasks_leaked", leakedTasks)
        report.set("rss_growth_mib", (ProcessStats.rssKiB - rssSettled) / 1024)
        report.set("rss_start_mib", rssStart / 1024)
        return report
    }

    static func reportStraggler(_ node: MeshNode, target: Int) async {
        let stats = await node.stats()
        let reasons = stats.lastCycle?.reasons.map { "\($0.key)=\($0.value.count)\($0.value.samples)" }.sorted() ?? []
        let failures = stats.dialFailures.suffix(3).map { "\($0.address) \($0.reason)" }
        progress(
            "churn: \(node.listenAddress) not back after a tick: sessions=\(stats.peers.count)/\(target) "
                + "known=\(stats.knownPeers) cycle=\(reasons.joined(separator: ",")) failures=\(failures)")
    }
}

/// How long each restarted node took to be back at its target; written by the watchers.
final class ReconnectLog: Sendable {
    private let state = LockedValue<(seconds: [Double], comingBack: Set<Int>)>(([], []))

    func restarted(_ index: Int) {
        state.withLock { _ = $0.comingBack.insert(index) }
    }

    func back(_ index: Int, after seconds: Double) {
        state.withLock {
            $0.seconds.append(seconds)
            $0.comingBack.remove(index)
        }
    }

    /// Whether node `index` was restarted and is not back yet (it is restarted again only then).
    func isComingBack(_ index: Int) -> Bool {
        state.withLock { $0.comingBack.contains(index) }
    }

    var count: Int { state.withLock { $0.seconds.count } }
    var seconds: [Double] { state.withLock { $0.seconds } }
}
