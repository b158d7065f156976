import Actors
import Diagnostics
import Wire

/// Nodes in this process, each on its own 127.x.y.z address.
enum BenchNodes {
    /// The i-th bench address (i from 0): 127.<block>.<i / 250>.<i % 250 + 1>:7071.
    static func address(_ index: Int, block: UInt32 = 20) -> SocketAddress {
        SocketAddress(
            ip: .v4(0x7F00_0000 | block << 16 | UInt32(index / 250) << 8 | UInt32(index % 250 + 1)), port: 7071)
    }

    static func configuration(_ address: SocketAddress, tick: Double, outbound: Int, maxPeers: Int) -> NodeConfiguration
    {
        var configuration = NodeConfiguration()
        configuration.listen = address
        configuration.lan = true
        configuration.tick = .nanoseconds(Int64(tick * 1e9))
        configuration.minimumOutbound = outbound
        configuration.maximumPeers = maxPeers
        configuration.dialTimeout = .seconds(2)
        configuration.handshakeTimeout = .seconds(2)
        configuration.cooldownBase = .nanoseconds(Int64(tick * 1e9))
        return configuration
    }

    /// Starts every node (node i on `reactor(i)`), runs `body`, shuts every node down.
    static func run<T: Sendable>(
        _ configurations: [NodeConfiguration], reactor: (Int) -> Reactor = { _ in .shared },
        _ body: @escaping @Sendable ([MeshNode]) async throws -> T
    ) async throws -> T {
        let nodes = try configurations.enumerated().map { index, configuration in
            try MeshNode(configuration: configuration, reactor: reactor(index), logger: .silent, persist: false)
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            for node in nodes {
                group.addTask {
                    await node.run(); return nil
                }
            }
            let result: T
            do {
                result = try await body(nodes)
            } catch {
                await shutdown(nodes)
                throw error
            }
            await shutdown(nodes)
            try await group.waitForAll()
            return result
        }
    }

    static func shutdown(_ nodes: [MeshNode]) async {
        await withTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { await node.shutdown() } }
        }
    }

    /// Polls every `interval` until `condition` holds or `timeout` passes; returns the seconds taken (nil on timeout).
    static func waitUntil(timeout: Double, interval: Double = 0.02, _ condition: () async -> Bool) async -> Double? {
        let start = now()
        while now() - start < timeout {
            if await condition() { return now() - start }
            try? await Task.sleep(for: .nanoseconds(Int64(interval * 1e9)))
        }
        return await condition() ? now() - start : nil
    }
}
