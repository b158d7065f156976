import Foundation
import Testing

/// The multi-host fault lab (scripts/testbed.sh): real meshnode processes on hosts in network
/// namespaces, faults injected in the kernel. Each scenario asserts the reason code the node
/// reports, that no node died, and how fast the mesh is back once the fault is healed.
@Suite(.serialized, .enabled(if: Testbed.available, "needs root, ip netns and iptables (CI installs them)"))
struct FaultLabTests {
    /// How long the mesh may take to be whole again after a fault is healed (cooldown 0.5 s,
    /// tick 0.5 s: a few ticks, with room for a loaded 2-core machine).
    static let healBound: Duration = .seconds(10)

    /// Runs `body` on a fresh testbed once the seeded hosts form a full mesh, checks that no
    /// node died, and always takes the testbed down.
    func withTestbed(
        hosts: Int, noSeed: [Int] = [], minimumOutbound: Int, _ body: @Sendable (Testbed) async throws -> Void
    ) async throws {
        try await withChildProcesses {
            let testbed = try await Testbed.up(hosts: hosts, noSeed: noSeed, minimumOutbound: minimumOutbound)
            do {
                let members = (1...hosts).filter { !noSeed.contains($0) }
                #expect(await waitFor { await testbed.fullMesh(members) }, "the mesh of \(members) did not form")
                try await body(testbed)
                #expect(testbed.allAlive, "a node died")
            } catch {
                await testbed.down()
                throw error
            }
            await testbed.down()
        }
    }

    @Test func dialFaults_eachGetTheirReasonCode_atOurOwnDeadline() async throws {
        // Host 4 runs a node nobody knows; host 1 dials it under one fault after another (one
        // stays in place at every step, so host 1's own maintainer cannot connect in between).
        try await withTestbed(hosts: 4, noSeed: [4], minimumOutbound: 2) { lab in
            try await lab.inject(4, "refuse")
            #expect(try await lab.connect(from: 1, to: 4) == (false, "connection_refused"))
            try await lab.inject(4, "syn-drop")
            let started = ContinuousClock.now
            #expect(try await lab.connect(from: 1, to: 4) == (false, "timeout"))
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(900) && waited < .seconds(3), "dial timed out after \(waited), not 1 s")
            try await lab.inject(1, "unreachable", "4")
            #expect(try await lab.connect(from: 1, to: 4) == (false, "no_route_to_host"))
            try await lab.inject(1, "blackhole", "4")
            #expect(try await lab.connect(from: 1, to: 4) == (false, "network_unreachable"))
            try await lab.inject(1, "prohibit", "4")
            #expect(try await lab.connect(from: 1, to: 4) == (false, "network_unreachable"))
            // The failure ring tells the same story.
            let debug = try jsonObject(try await http(lab.debug(1), "/api/p2p/debug").1)
            let reasons = (debug["dial_failures"] as? [[String: Any]] ?? [])
                .filter { $0["addr"] as? String == "10.77.0.4:7071" }.compactMap { $0["reason"] as? String }
            for reason in ["connection_refused", "timeout", "no_route_to_host", "network_unreachable"] {
                #expect(reasons.contains(reason), "\(reason) missing from \(reasons)")
            }
            // Healed: the same dial succeeds, so the faults were the cause.
            try await lab.heal(1)
            try await lab.heal(4)
            #expect(try await lab.connect(from: 1, to: 4) == (true, nil))
        }
    }

    @Test func resetMidStream_isConnectionReset_andThePairReconnects() async throws {
        try await withTestbed(hosts: 3, minimumOutbound: 2) { lab in
            // Host 1 answers every segment from host 2 with a reset.
            try await lab.inject(1, "reset", "2")
            #expect(
                await waitFor(.seconds(5)) {
                    lab.events(2, "peer.disconnected", peer: Testbed.ip(1)).contains {
                        $0["reason"] as? String == "connection_reset"
                    }
                }, "host 2 did not see connection_reset")
            #expect(
                try await lab.healAndWaitForMesh(1, members: [1, 2, 3], within: Self.healBound, label: "reset"),
                "not healed")
        }
    }

    @Test func lossAndABandwidthCap_keepEverySession() async throws {
        try await withTestbed(hosts: 3, minimumOutbound: 2) { lab in
            let pingsBefore = await metricSample(lab.debug(1), "meshnode_ping_rtt_seconds_count") ?? 0
            let disconnectsBefore = (1...3).map { lab.events($0, "peer.disconnected").count }
            for host in 1...3 { try await lab.inject(host, "loss", "5") }
            try await lab.inject(1, "bandwidth", "256kbit")
            try await Task.sleep(for: .seconds(4))
            // TCP retransmits what was lost; pings keep being answered within the timeout.
            #expect((1...3).map { lab.events($0, "peer.disconnected").count } == disconnectsBefore)
            #expect(await lab.fullMesh([1, 2, 3]))
            let pingsAfter = await metricSample(lab.debug(1), "meshnode_ping_rtt_seconds_count") ?? 0
            #expect(pingsAfter >= pingsBefore + 8, "pings measured: \(pingsBefore) -> \(pingsAfter)")
            for host in 1...3 { try await lab.heal(host) }
        }
    }

    @Test func partitionLongerThanThePingTimeout_isPingTimeout_andHeals() async throws {
        try await withTestbed(hosts: 3, minimumOutbound: 2) { lab in
            try await lab.inject(1, "partition", "3")
            // Both sides notice within interval + timeout (0.5 + 2 s), with slack.
            #expect(
                await waitFor(.seconds(6)) {
                    !lab.events(1, "peer.ping_timeout", peer: Testbed.ip(3)).isEmpty
                        && !lab.events(3, "peer.ping_timeout", peer: Testbed.ip(1)).isEmpty
                }, "no ping_timeout on both sides")
            // Host 2 reaches both sides all along.
            #expect(await lab.peers(of: 2) == [Testbed.ip(1), Testbed.ip(3)])
            #expect(
                try await lab.healAndWaitForMesh(1, members: [1, 2, 3], within: Self.healBound, label: "partition"),
                "not healed")
        }
    }

    @Test func partitionShorterThanThePingTimeout_keepsTheConnection() async throws {
        try await withTestbed(hosts: 3, minimumOutbound: 2) { lab in
            let before = await connectedSince(lab.debug(1), peer: Testbed.ip(2))
            #expect(before != nil)
            try await lab.inject(1, "partition", "2")
            try await Task.sleep(for: .milliseconds(800))
            try await lab.heal(1)
            // Past the ping timeout since the cut: the late pongs arrived in time.
            try await Task.sleep(for: .milliseconds(2_500))
            #expect(lab.events(1, "peer.ping_timeout", peer: Testbed.ip(2)).isEmpty)
            #expect(lab.events(2, "peer.ping_timeout", peer: Testbed.ip(1)).isEmpty)
            #expect(await connectedSince(lab.debug(1), peer: Testbed.ip(2)) == before, "the session was replaced")
        }
    }
}
