import Foundation
import Testing

@testable import Actors
@testable import Wire

extension MeshSuite {
    @Suite struct PeerLifecycleTests {
        /// A hand-driven peer: handshakes correctly, then never answers a ping.
        static func silentPeer(to node: SocketAddress, from ip: IPAddress) async throws -> Connection {
            let connection = try await Connection.connect(to: node, from: ip, timeout: .seconds(2))
            try await connection.send(
                .handshake(
                    Handshake(
                        protocolVersion: Handshake.currentProtocolVersion, chainID: "mainnet", genesis: .mainnet,
                        listenPort: 7071, nonce: 42, userAgent: "silent/1")))
            var frames = connection.frames.makeAsyncIterator()
            guard case .handshake = try Message.decode(try #require(try await frames.next()).body) else {
                throw TestTimeout()
            }
            try await connection.send(.handshakeAck)
            #expect(try Message.decode(try #require(try await frames.next()).body) == .handshakeAck)
            return connection
        }

        @Test func silentPeer_isDroppedAsPingTimeout_withinIntervalPlusTimeout() async throws {
            let node = testAddress(17, 1)
            let configuration = testConfiguration(node) {
                $0.pingInterval = .milliseconds(200)
                $0.pingTimeout = .milliseconds(400)
            }
            try await withNodes([configuration]) { nodes in
                let silent = try await Self.silentPeer(to: node, from: testAddress(17, 2).ip)
                let start = ContinuousClock.now
                #expect(await eventually { await nodes[0].manager.sessions.count == 1 })
                #expect(
                    await eventually(timeout: .seconds(3)) {
                        await nodes[0].manager.totals.disconnects[.pingTimeout] == 1
                    })
                #expect(ContinuousClock.now - start < .milliseconds(1200))  // 200 + 400 ms, plus slack
                #expect(await nodes[0].manager.sessions.isEmpty)
                await silent.close()
            }
        }

        @Test func answeredPings_keepTheSessionAndMeasureRTT() async throws {
            let a = testAddress(18, 1)
            let b = testAddress(18, 2)
            let configurations = [a, b].map { address in
                testConfiguration(address) {
                    $0.seeds = [a, b].filter { $0 != address }
                    $0.pingInterval = .milliseconds(100)
                    $0.pingTimeout = .milliseconds(300)
                }
            }
            try await withNodes(configurations) { nodes in
                #expect(await eventually { await nodes[0].manager.sessions.count == 1 })
                try await Task.sleep(for: .milliseconds(800))
                #expect(await nodes[0].manager.sessions.count == 1)
                let rtt = await nodes[0].manager.livePeers.first?.lastRTT
                #expect(rtt != nil && rtt! < 0.1)
            }
        }

        @Test func killedPeer_goesToCooldown_andIsRedialedAfterIt() async throws {
            let a = testAddress(19, 2)
            let b = testAddress(19, 1)
            let configuration = testConfiguration(a) {
                $0.directPeers = [b]
                $0.cooldownBase = .milliseconds(600)
            }
            try await withNodes([configuration]) { nodes in
                let first = try MeshNode(configuration: testConfiguration(b), logger: testLogger, persist: false)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await first.run() }
                    #expect(await eventually { await nodes[0].manager.sessions.count == 1 })
                    await first.shutdown()
                    try await group.waitForAll()
                }
                #expect(await eventually { await nodes[0].manager.sessions.isEmpty })
                let record = await nodes[0].manager.book[PeerIP(b.ip)]
                #expect(record?.cooldownUntil != nil)
                // While B is down and the cooldown runs, dials are skipped as cooldown_active.
                let cycle = await nodes[0].maintainerCycle()
                #expect(cycle.reasons[.cooldownActive]?.count == 1)
                let second = try MeshNode(configuration: testConfiguration(b), logger: testLogger, persist: false)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await second.run() }
                    #expect(await eventually { await nodes[0].manager.sessions.count == 1 })
                    await second.shutdown()
                    try await group.waitForAll()
                }
            }
        }

        @Test func moreInboundThanMaxPeers_keepsExactlyMax() async throws {
            let hub = testAddress(20, 100)
            let spokes = (1...6).map { testAddress(20, $0) }
            // No outbound reserved: all four slots may be inbound (inbound gets max − min-outbound).
            var configurations = [
                testConfiguration(hub) {
                    $0.maximumPeers = 4
                    $0.minimumOutbound = 0
                }
            ]
            configurations += spokes.map { spoke in testConfiguration(spoke) { $0.directPeers = [hub] } }
            try await withNodes(configurations) { nodes in
                let reached = await eventually { await nodes[0].manager.sessions.count == 4 }
                let count = await nodes[0].manager.sessions.count
                let totals = await nodes[0].manager.totals
                #expect(reached, "hub sessions: \(count), totals: \(totals)")
                try await Task.sleep(for: .milliseconds(600))
                #expect(await nodes[0].manager.sessions.count == 4)
                var refused = 0
                for spoke in nodes.dropFirst() {
                    refused += await spoke.manager.totals.handshakeFailures[.maxPeersReached] ?? 0
                }
                #expect(refused > 0)
            }
        }
    }
}
