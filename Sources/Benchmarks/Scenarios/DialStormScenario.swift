import Actors
import Wire

/// `dial-storm --nodes N`: every node gets every other as `--peer` at the same instant; the
/// tie-break must leave exactly one connection per pair.
enum DialStormScenario {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let count = try options.int("nodes", 32)
        let addresses = (0..<count).map { BenchNodes.address($0, block: 21) }
        let configurations = addresses.map { address in
            var configuration = BenchNodes.configuration(address, tick: 0.5, outbound: count, maxPeers: count + 4)
            configuration.directPeers = addresses.filter { $0 != address }
            return configuration
        }
        let expected = count * (count - 1) / 2
        return try await BenchNodes.run(configurations) { nodes in
            let seconds = await BenchNodes.waitUntil(timeout: 30, interval: 0.01) {
                var total = 0
                for node in nodes { total += await node.manager.sessions.count }
                return total == 2 * expected
            }
            try? await Task.sleep(for: .milliseconds(300))
            let tcp = ProcessStats.tcpPairs(among: Set(addresses.map(\.ip)))
            var duplicateCloses = 0
            for node in nodes { duplicateCloses += await node.manager.totals.duplicateCloses }
            var report = BenchReport("dial-storm")
            report.set("nodes", count)
            report.set("seconds_to_full_mesh", seconds ?? -1)
            report.set("connections", tcp.connections)
            report.set("expected_connections", expected)
            // Each losing connection is closed by both of its ends: count it once.
            report.set("duplicate_closes", duplicateCloses / 2)
            report.set("duplicate_pairs_at_end", tcp.duplicatePairs)
            return report
        }
    }
}
