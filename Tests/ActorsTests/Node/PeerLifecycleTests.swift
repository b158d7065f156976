import Foundation
import Testing

@testable import Actors
@testable import Wire

extension MeshSuite {
    @Suite struct PeerLifecycleTests {
        /// Time runs on a manual clock: the ping goes out when its time comes, and the session
        /// ends exactly one timeout after it, not a nanosecond before.
        @Test func silentPeer_isDroppedAsPingTimeout_exactlyOneTimeoutAfterThePing() async throws {
            let node = testAddress(17, 1)
            let configuration = testConfiguration(node) {
                $0.pingInterval = .milliseconds(200)
                $0.pingTimeout = .milliseconds(400)
            }
            try await withManualClockNode(configuration) { node, reactor in
                // Handshakes, then never answers a ping.
                let (silent, peer) = try await node.startedSession(from: testAddress(17, 2).ip, reactor: reactor)
                // The first ping is due within one interval (jittered to 50–100 % of it).
                await reactor.advanceClock(by: .milliseconds(200))
                let ping = try await silent.readMessages { $0.contains { if case .ping = $0 { true } else { false } } }
                #expect(ping.contains { if case .ping = $0 { true } else { false } })
                await reactor.advanceClock(by: .milliseconds(399))
                #expect(await peer.closeReason == nil)
                await reactor.advanceClock(by: .milliseconds(1))
                #expect(await peer.closeReason == .pingTimeout)
                #expect(await eventually { await node.manager.totals.disconnects[.pingTimeout] == 1 })
                #expect(await eventually { await node.manager.sessions.isEmpty })
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
