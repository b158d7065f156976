import TestSupport
import Testing

@testable import Actors
@testable import Diagnostics
@testable import Wire

/// Seed 001: a dial the operator asked for (`POST /api/p2p/connect`, `meshnode connect`,
/// `--peer`) that the node's rules skip shows in the dial-failure ring (`dial_failures` of
/// `GET /api/p2p/debug`) with its reason and source. The maintainer's skips of gossip entries
/// do not: a book full of them would push every real failure out of the ring.
@Suite(.serialized) struct OperatorSkipRingTests {
    static func configuration(_ host: UInt32, lan: Bool) -> NodeConfiguration {
        var configuration = NodeConfiguration()
        configuration.listen = SocketAddress(ip: .v4(0x7F00_4800 | host), port: 7071)
        configuration.lan = lan
        configuration.tick = .milliseconds(100)
        configuration.dialTimeout = .seconds(1)
        return configuration
    }

    @Test func manualConnect_skippedByPolicy_isInTheRingEachTime() async throws {
        // Without --lan a loopback peer is never dialed: the operator sees why.
        let node = try MeshNode(configuration: Self.configuration(1, lan: false), persist: false)
        for _ in 0..<2 {
            guard case .failure(let refusal) = await node.connect("127.0.72.9:7071", persist: false) else {
                Issue.record("a loopback dial without --lan was not refused")
                return
            }
            #expect(refusal.reason == "loopback_blocked")
        }
        let failures = await node.manager.dialFailures
        #expect(failures.count == 2, "\(failures)")
        #expect(
            failures.allSatisfy {
                $0.address == "127.0.72.9:7071" && $0.reason == "loopback_blocked" && $0.source == "direct"
            }, "\(failures)")
    }

    @Test func gossipSkips_stayOutOfTheRing_directPeerSkipsAreInItOnce() async throws {
        let node = try MeshNode(configuration: Self.configuration(2, lan: false), persist: false)
        let gossip = SocketAddress(ip: .v4(0x7F00_4807), port: 7071)
        let direct = SocketAddress(ip: .v4(0x7F00_4808), port: 7071)
        for _ in 0..<3 {
            #expect(await node.manager.decideDial(gossip, source: .gossip) == .loopbackBlocked)
            #expect(await node.manager.decideDial(direct, source: .direct) == .loopbackBlocked)
        }
        // A skip that is not policy (the peer's own state) is not the operator's to fix.
        let failures = await node.manager.dialFailures
        #expect(failures.map(\.address) == ["127.0.72.8:7071"], "\(failures)")
        #expect(failures.first?.reason == "loopback_blocked" && failures.first?.source == "direct")
    }

    @Test func peerOnOurOwnIP_isInTheRingOnce_tickAfterTick() async throws {
        try await ExclusiveIO.shared.run {
            // Another node on our IP (another port): a peer is its IP, so it is never dialed.
            var configuration = Self.configuration(3, lan: true)
            configuration.directPeers = [SocketAddress(ip: .v4(0x7F00_4803), port: 7072)]
            let node = try MeshNode(configuration: configuration, persist: false)
            let (recorded, ticks) = await withTaskGroup(of: Void.self) { group in
                group.addTask { await node.run() }
                var recorded = false
                let deadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < deadline && !recorded {
                    recorded = await node.manager.dialFailures.contains { $0.reason == "self_dial_blocked" }
                    if !recorded { try? await Task.sleep(for: .milliseconds(20)) }
                }
                // Let the maintainer decide about it three more times.
                let first = await node.manager.table.tick
                while ContinuousClock.now < deadline, await node.manager.table.tick < first + 3 {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                let ticks = await node.manager.table.tick - first
                await node.shutdown()
                await group.waitForAll()
                return (recorded, ticks)
            }
            #expect(recorded)
            #expect(ticks >= 3)
            let failures = await node.manager.dialFailures
            #expect(
                failures.filter { $0.address == "127.0.72.3:7072" && $0.reason == "self_dial_blocked" }.count == 1,
                "\(failures)")
            #expect(failures.allSatisfy { $0.source == "direct" }, "\(failures)")
        }
    }
}
