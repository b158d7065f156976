import Actors
import Wire

/// `ping --peers P`: liveness RTT through the whole actor path (timer → PeerConnection →
/// writer → socket → peer's loop → Pong → Liveness), idle and while a broadcast runs.
enum PingScenario {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let peers = try options.int("peers", 100)
        let seconds = try options.double("seconds", 3)
        let interval = try options.double("interval", 0.05)
        let reactors = try options.int("reactors", 1)
        // With --reactors 2 the spokes answer from a second reactor thread, as remote peers
        // would: the hub's figures then leave out the queueing behind 100 other nodes' work.
        let second = reactors > 1 ? try Reactor(name: "bench-reactor-2") : Reactor.shared
        let configurations = StarTopology.configurations(peers: peers, block: 23, pingInterval: interval)
        return try await BenchNodes.run(configurations, reactor: { $0 == 0 ? .shared : second }) { nodes in
            try await StarTopology.waitForStar(nodes)
            let hub = nodes[0]
            await hub.manager.startRecordingRTT()
            try await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9)))
            let idle = await hub.manager.takeRTTSamples()
            progress("ping: \(idle.count) idle samples; now under broadcast load")
            let loaded = await withTaskGroup(of: [Double].self) { group in
                group.addTask(executorPreference: hub.reactor) {
                    _ = await BroadcastScenario.broadcast(
                        from: hub, to: Array(nodes.dropFirst()), messages: max(1000, Int(seconds * 2000)), size: 256)
                    return []
                }
                group.addTask {
                    try? await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9)))
                    return await hub.manager.takeRTTSamples()
                }
                var samples: [Double] = []
                for await result in group where !result.isEmpty { samples = result }
                return samples
            }
            var report = BenchReport("ping")
            report.set("peers", peers)
            report.set("interval_s", interval)
            report.set("reactors", reactors)
            report.set("idle_samples", idle.count)
            report.set("idle_p50_us", percentile(idle, 0.5) * 1e6)
            report.set("idle_p99_us", percentile(idle, 0.99) * 1e6)
            report.set("loaded_samples", loaded.count)
            report.set("loaded_p50_us", percentile(loaded, 0.5) * 1e6)
            report.set("loaded_p99_us", percentile(loaded, 0.99) * 1e6)
            return report
        }
    }
}
