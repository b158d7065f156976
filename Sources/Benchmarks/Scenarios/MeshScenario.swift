import Actors
import Wire

/// `mesh --nodes N --outbound K --tick T`: N nodes start at once, the first 3 are everyone's
/// seeds; how long until every node holds ≥ min(K, N-1) connections, with no duplicates.
enum MeshScenario {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let count = try options.int("nodes", 100)
        let outbound = try options.int("outbound", 8)
        let tick = try options.double("tick", 0.5)
        let addresses = (0..<count).map { BenchNodes.address($0) }
        let seeds = Array(addresses.prefix(3))
        let configurations = addresses.map { address in
            var configuration = BenchNodes.configuration(
                address, tick: tick, outbound: outbound, maxPeers: 2 * outbound + 8)
            configuration.seeds = seeds.filter { $0 != address }
            return configuration
        }
        let target = min(outbound, count - 1)
        let rssBefore = ProcessStats.rssKiB
        return try await BenchNodes.run(configurations) { nodes in
            let start = now()
            var lastReport = start
            let seconds = await BenchNodes.waitUntil(timeout: max(30, tick * 40), interval: 0.05) {
                var reached = 0
                for node in nodes where await node.manager.sessions.count >= target { reached += 1 }
                if now() - lastReport > 2 {
                    progress("mesh: \(reached)/\(nodes.count) nodes at target after \(Int(now() - start)) s")
                    lastReport = now()
                }
                return reached == nodes.count
            }
            if seconds == nil {
                // Say why the stragglers are stuck: their last cycle's reasons.
                for node in nodes where await node.manager.sessions.count < target {
                    let stats = await node.stats()
                    let reasons = stats.lastCycle?.reasons.map { "\($0.key)=\($0.value.count)" }.sorted() ?? []
                    progress(
                        "below target: \(node.listenAddress) sessions=\(stats.peers.count) known=\(stats.knownPeers) "
                            + "reasons=\(reasons.joined(separator: ","))")
                }
            }
            // Let in-flight tie-breaks finish before counting sockets.
            try? await Task.sleep(for: .milliseconds(300))
            let tcp = ProcessStats.tcpPairs(among: Set(addresses.map(\.ip)))
            var report = BenchReport("mesh")
            report.set("nodes", count)
            report.set("outbound", outbound)
            report.set("tick", tick)
            report.set("seconds_to_target", seconds ?? -1)
            report.set("ticks_to_target", seconds.map { Int(($0 / tick).rounded(.up)) } ?? -1)
            report.set("connections", tcp.connections)
            report.set("duplicate_pairs_at_end", tcp.duplicatePairs)
            report.set("rss_mib", ProcessStats.rssKiB / 1024)
            report.set("rss_growth_mib", (ProcessStats.rssKiB - rssBefore) / 1024)
            report.set("threads", ProcessStats.threads)
            return report
        }
    }
}
