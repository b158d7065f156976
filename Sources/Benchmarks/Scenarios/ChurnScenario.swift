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
        var reconnects: [Double] = []
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
            var pending: [(index: Int, node: MeshNode, restartedAt: Double)] = []
            while now() < end {
                let index = Int.random(in: 0..<count, using: &generator)
                if let node = nodes[index], !pending.contains(where: { $0.index == index }) {
                    await node.shutdown()
                    leakedTasks += node.activeSessionTasks
                    let replacement = try MeshNode(
                        configuration: configurations[index], logger: .silent, persist: false)
                    nodes[index] = replacement
                    group.addTask { await replacement.run() }
                    pending.append((index, replacement, now()))
                    restarts += 1
                }
                try await Task.sleep(for: .nanoseconds(Int64(every * 1e9)))
                await collectReconnected(&pending, into: &reconnects, target: target)
                if restarts % 25 == 0 { progress("churn: \(restarts) restarts, \(reconnects.count) reconnected") }
            }
            // Settle: the last restarted nodes get time to reconnect.
            _ = await BenchNodes.waitUntil(timeout: 10 * tick) {
                await collectReconnected(&pending, into: &reconnects, target: target)
                return pending.isEmpty
            }
            await BenchNodes.shutdown(nodes.compactMap { $0 })
            for case let node? in nodes { leakedTasks += node.activeSessionTasks }
            try await group.waitForAll()
        }
        // Lingering closes finish on the reactor just after shutdown.
        _ = await BenchNodes.waitUntil(timeout: 3) { ProcessStats.sockets <= socketsBefore }
        var report = BenchReport("churn")
        report.set("nodes", count)
        report.set("restarts", restarts)
        report.set("reconnected", reconnects.count)
        report.set("reconnect_p50_s", percentile(reconnects, 0.5))
        report.set("reconnect_p99_s", percentile(reconnects, 0.99))
        report.set("reconnect_p99_ticks", percentile(reconnects, 0.99) / tick)
        report.set("fds_leaked", max(0, ProcessStats.sockets - socketsBefore))
        report.set("connections_leaked", max(0, Connection.liveCount - connectionsBefore))
        report.set("tasks_leaked", leakedTasks)
        report.set("rss_growth_mib", (ProcessStats.rssKiB - rssSettled) / 1024)
        report.set("rss_start_mib", rssStart / 1024)
        return report
    }

    /// Moves restarted nodes that are back at `target` out of `pending`, noting how long it took.
    static func collectReconnected(
        _ pending: inout [(index: Int, node: MeshNode, restartedAt: Double)], into reconnects: inout [Double],
        target: Int
    ) async {
        var still: [(index: Int, node: MeshNode, restartedAt: Double)] = []
        for entry in pending {
            if await entry.node.manager.sessions.count >= target {
                reconnects.append(now() - entry.restartedAt)
            } else {
                still.append(entry)
            }
        }
        pending = still
    }
}
