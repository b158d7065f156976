import Actors
import Wire

/// `broadcast --peers P --messages M --size S`: one node broadcasts through its PeerRegistry;
/// every spoke records each receipt and its latency from the send.
enum BroadcastScenario {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let peers = try options.int("peers", 100)
        let messages = try options.int("messages", 10_000)
        let size = try options.int("size", 256)
        let window = try options.int("window", 64)
        let reactors = try options.int("reactors", 1)
        // With --reactors 2 the spokes run on a second reactor thread (the machine has 2 cores);
        // the hub stays on the shared one.
        let second = reactors > 1 ? try Reactor(name: "bench-reactor-2") : Reactor.shared
        let configurations = StarTopology.configurations(peers: peers, block: 22)
        return try await BenchNodes.run(configurations, reactor: { $0 == 0 ? .shared : second }) { nodes in
            try await StarTopology.waitForStar(nodes)
            let (seconds, received, latencies) = await broadcast(
                from: nodes[0], to: Array(nodes.dropFirst()), messages: messages, size: size, window: window)
            var report = BenchReport("broadcast")
            report.set("peers", peers)
            report.set("messages", messages)
            report.set("size", size)
            report.set("window", window)
            report.set("reactors", reactors)
            report.set("deliveries", received)
            report.set("seconds", seconds)
            report.set("deliveries_per_s", Double(received) / seconds)
            report.set("p50_us", percentile(latencies, 0.5) * 1e6)
            report.set("p99_us", percentile(latencies, 0.99) * 1e6)
            report.set("dropped", peers * messages - received)
            return report
        }
    }

    /// Broadcasts `messages` payloads from `hub` and waits for every spoke to receive them.
    static func broadcast(from hub: MeshNode, to spokes: [MeshNode], messages: Int, size: Int, window: Int = 64) async
        -> (seconds: Double, received: Int, latencies: [Double])
    {
        let log = ReceiptLog(sampleEvery: max(1, spokes.count * messages / 200_000))
        let expected = spokes.count * messages
        return await withTaskGroup(of: [Double].self) { group in
            for spoke in spokes {
                group.addTask(executorPreference: spoke.reactor) {
                    await ReactorBound.run(on: spoke.reactor) { _ in
                        var count = 0
                        var pending = 0
                        var latencies: [Double] = []
                        for await (_, payload) in spoke.payloads {
                            count += 1
                            pending += 1
                            if count % log.sampleEvery == 0 {
                                latencies.append(Double(Reactor.now() &- sendTime(of: payload)) / 1e9)
                            }
                            if pending == 32 || count == messages {
                                log.record(pending)
                                pending = 0
                            }
                            if count == messages { break }
                        }
                        return latencies
                    }
                }
            }
            let start = now()
            // At most `window` messages in flight: the latency figures then measure the path
            // (send, flush, read, decode, deliver), not a queue the sender built up. The loop
            // runs isolated to the hub's reactor, as the node's actors do.
            await ReactorBound.run(on: hub.reactor) { _ in
                for index in 0..<messages {
                    await hub.broadcast(timedPayload(size: size))
                    if index % 32 == 31 {
                        // Let the reactor flush and the spokes read: a timer yields the whole loop pass.
                        try? await hub.reactor.sleep(for: .zero)
                        while (index + 1 - window) * spokes.count > log.received {
                            try? await hub.reactor.sleep(for: .zero)
                        }
                    }
                }
            }
            _ = await BenchNodes.waitUntil(timeout: 60, interval: 0.01) { log.received >= expected }
            let seconds = log.lastReceipt - start
            let received = log.received
            group.cancelAll()
            var latencies: [Double] = []
            for await spokeLatencies in group { latencies += spokeLatencies }
            return (seconds, received, latencies)
        }
    }
}
