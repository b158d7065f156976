import Foundation
import Testing

@testable import Actors
@testable import Wire

/// scripts/hostile_peer.py against the real binary: every misbehaviour gets its reason code,
/// memory stays bounded, and an honest peer connected meanwhile is never disturbed.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct HostilePeerTests {
    /// Scenario, the reason the node must log for that peer (nil: the session must survive),
    /// and the log event that carries it.
    static let expectations: [(scenario: String, reason: String?, event: String)] = [
        ("random-bytes", "protocol_violation", "handshake.failed"),
        ("huge-length", "protocol_violation", "handshake.failed"),
        ("slow-bytes", "handshake_timeout", "handshake.failed"),
        ("silent", "handshake_timeout", "handshake.failed"),
        ("version-without-ack", "handshake_timeout", "handshake.failed"),
        ("message-before-handshake", "protocol_violation", "handshake.failed"),
        ("duplicate-handshake", "protocol_violation", "peer.disconnected"),
        ("unsolicited-pongs", nil, "peer.disconnected"),
        ("peer-list-flood", "protocol_violation", "peer.disconnected"),
    ]

    @Test func everyMisbehaviour_getsItsReason_andAnHonestPeerStaysConnected() async throws {
        try await withChildProcesses {
            let (dirA, dirB) = (BinaryTests.temporaryDirectory(), BinaryTests.temporaryDirectory())
            defer { for dir in [dirA, dirB] { try? FileManager.default.removeItem(atPath: dir) } }
            // Pings often enough to be seen within a scenario, a timeout loose enough for
            // sanitizer builds on a loaded 2-core machine; the handshake deadline stays short.
            let liveness = ["--ping-interval", "0.5", "--ping-timeout", "3", "--handshake-timeout", "1"]
            let target = try NodeProcess(
                [
                    // A slow tick: the target needs no dials, and a sanitizer-built node planning
                    // a cycle over the flood's 2,000 addresses every 0.2 s held its reactor 2.5 s.
                    "run", "--listen", "127.0.44.1:7071", "--debug-listen", "127.0.44.1:7070", "--lan", "--tick", "5",
                    "--max-peers", "32", "--data-dir", dirA, "--log-level", "debug",
                ] + liveness, environment: ["MESHNODE_DEBUG_PUBLIC_PEERS": "1"])
            defer { target.stop() }
            let debug = address("127.0.44.1:7070")
            #expect(await waitFor { (try? await http(debug, "/health").0) == 200 })
            let honest = try NodeProcess(
                [
                    "run", "--listen", "127.0.44.2:7071", "--debug-listen", "off", "--lan", "--tick", "0.2",
                    "--data-dir", dirB, "--peer", "127.0.44.1:7071",
                ] + liveness)
            defer { honest.stop() }
            let honestSince: @Sendable () async -> Double? = { await connectedSince(debug, peer: "127.0.44.2") }
            #expect(await waitFor { await honestSince() != nil }, "log: \(target.log)")
            let since = await honestSince()
            let residentBefore = target.residentKiB

            // Every scenario at once, each from its own source IP.
            let script = repositoryRoot + "/scripts/hostile_peer.py"
            let outputs = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for (index, expectation) in Self.expectations.enumerated() {
                    group.addTask {
                        let (_, output, errors) = try await runTool(
                            "/usr/bin/env",
                            [
                                "python3", script, "--target", "127.0.44.1:7071", "--source",
                                // An upper bound only: each scenario ends when the node closes
                                // (the pong one once it has answered a ping).
                                "127.0.44.\(10 + index)", "--scenario", expectation.scenario, "--seconds", "15",
                            ])
                        let line = output.split(separator: "\n").last.map(String.init)
                        return (expectation.scenario, line ?? "{\"error\": \"no output\", \"stderr\": \"\(errors)\"}")
                    }
                }
                return try await group.reduce(into: [String: String]()) { $0[$1.0] = $1.1 }
            }
            let results = outputs.mapValues {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? ["error": $0]
            }
            let residentAfter = target.residentKiB
            // A peer's script ends when it sees our close; our log line follows once our side of
            // the session has ended too (a moment later, longer for a sanitizer build).
            _ = await waitFor {
                Self.expectations.enumerated().allSatisfy { index, expectation in
                    expectation.reason.map { reason in
                        target.events(expectation.event, peer: "127.0.44.\(10 + index)")
                            .contains { $0["reason"] as? String == reason }
                    } ?? true
                }
            }

            for (index, expectation) in Self.expectations.enumerated() {
                let ip = "127.0.44.\(10 + index)"
                let result = try #require(results[expectation.scenario])
                #expect(result["error"] == nil, "\(expectation.scenario): \(result)")
                let logged = target.events(expectation.event, peer: ip).compactMap { $0["reason"] as? String }
                if let reason = expectation.reason {
                    #expect(result["closed_by_node"] as? Bool == true, "\(expectation.scenario): \(result)")
                    #expect(logged.contains(reason), "\(expectation.scenario): logged \(logged), peer saw \(result)")
                    if reason == "handshake_timeout" {
                        // Ended at our deadline (1 s, with room for a slow sanitizer build), whatever
                        // the peer does meanwhile: slow-bytes would trickle on for 71 s.
                        #expect((result["closed_after_s"] as? Double ?? 99) < 4, "\(expectation.scenario): \(result)")
                    } else {
                        #expect(result["disconnect_reason"] as? String == reason, "\(expectation.scenario): \(result)")
                    }
                } else {
                    // Ignored, not fatal: the node closed nothing while the peer played.
                    #expect(result["closed_by_node"] as? Bool == false, "\(expectation.scenario): \(result)")
                    // (The peer hangs up when its time is over: that is the only end logged.)
                    #expect(logged.allSatisfy { $0 == "remote_closed" }, "\(expectation.scenario): \(logged)")
                    #expect((result["received"] as? [String])?.contains("ping") == true, "\(result)")
                }
            }
            // The flood kept the answers to the node's GetPeers (at most two outstanding), no more,
            // and of each 1,000-entry answer at most a sample of 256.
            let stats = try jsonObject(try await http(debug, "/api/p2p/stats").1)
            let learnedAtMost = 2 * PeerConnection.maximumLearnedPerList
            #expect((stats["known_peers"] as? Int ?? .max) <= learnedAtMost + Self.expectations.count + 2, "\(stats)")
            // Cut off at the first unsolicited list: the rest of the flood is read and discarded,
            // not decoded or logged (nothing is processed once Disconnect is sent).
            let flood = Self.expectations.firstIndex { $0.scenario == "peer-list-flood" }!
            #expect(target.events("peer.unsolicited_peer_list", peer: "127.0.44.\(10 + flood)").count == 1)
            // Bounded memory (a 0xFFFFFFFF length buffers nothing), the honest peer untouched.
            #expect(
                addressSanitizerInUse || residentAfter - residentBefore < 16 * 1024,
                "RSS \(residentBefore) -> \(residentAfter) KiB")
            #expect(await honestSince() == since, "the honest peer was disconnected")
            print("hostile peers: node RSS \(residentBefore) -> \(residentAfter) KiB across nine misbehaviours")
            #expect(target.process.isRunning)
        }
    }
}
