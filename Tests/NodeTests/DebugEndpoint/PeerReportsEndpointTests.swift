import Foundation
import Testing

@testable import Wire

/// `why`, the funnel and the two-sided disconnect ledger on real nodes: what the routes show
/// is what the nodes did, on both sides of one session.
@Suite(.serialized) struct PeerReportsEndpointTests {
    @Test func operatorDisconnect_isLocalOnOneSide_andRemoteWithItsReasonOnTheOther() async throws {
        try await withChildProcesses {
            let (dirA, dirB) = (BinaryTests.temporaryDirectory(), BinaryTests.temporaryDirectory())
            defer { for dir in [dirA, dirB] { try? FileManager.default.removeItem(atPath: dir) } }
            let nodeA = try NodeProcess([
                "run", "--listen", "127.0.95.1:7071", "--debug-listen", "127.0.95.1:7070", "--lan", "--tick", "0.2",
                "--data-dir", dirA,
            ])
            defer { nodeA.stop() }
            let (debugA, debugB) = (address("127.0.95.1:7070"), address("127.0.95.2:7070"))
            // A listens before B dials it (else B's first dial is refused and cools down).
            #expect(await waitFor(.seconds(20)) { (try? await http(debugA, "/health").0) == 200 }, "log: \(nodeA.log)")
            let nodeB = try NodeProcess([
                "run", "--listen", "127.0.95.2:7071", "--debug-listen", "127.0.95.2:7070", "--lan", "--tick", "0.2",
                "--data-dir", dirB, "--peer", "127.0.95.1:7071", "--cooldown", "0.5",
            ])
            defer { nodeB.stop() }
            let why: @Sendable (SocketAddress, String) async -> [String: Any]? = { debug, ip in
                guard let (status, body) = try? await http(debug, "/api/p2p/why/\(ip)"), status == 200 else {
                    return nil
                }
                return try? jsonObject(body)
            }
            #expect(
                await waitFor(.seconds(20)) { await why(debugA, "127.0.95.2")?["connected"] as? Bool == true },
                "log: \(nodeA.log)")
            // B dialed A as a direct peer: its decision chain has the dial, then the session.
            let chainB = try #require(await why(debugB, "127.0.95.1"))
            let eventsB = (chainB["decisions"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
            let session = try #require(eventsB.firstIndex(of: "connected"), "\(eventsB)")
            #expect(session > 0 && eventsB[max(0, session - 1)] == "dialed", "\(eventsB)")
            #expect(chainB["source"] as? String == "direct")

            // Session ends recorded on each side; the first one after the operator's disconnect
            // is that session's end (a later duplicate of B's redial must not be mistaken for it).
            let ends: @Sendable (SocketAddress, String) async -> [[String: Any]] = { debug, ip in
                (await why(debug, ip)?["decisions"] as? [[String: Any]] ?? []).filter {
                    $0["event"] as? String == "disconnected"
                }
            }
            let (beforeA, beforeB) = (await ends(debugA, "127.0.95.2").count, await ends(debugB, "127.0.95.1").count)
            let token = try #require(cookie(in: dirA))
            let (status, _) = try await http(
                debugA, "/api/p2p/disconnect", method: "POST", body: "{\"ip\":\"127.0.95.2\"}", cookie: token)
            #expect(status == 200)
            let bothEnded = await waitFor {
                let countA = await ends(debugA, "127.0.95.2").count
                let countB = await ends(debugB, "127.0.95.1").count
                return countA > beforeA && countB > beforeB
            }
            #expect(bothEnded)
            let onA = try #require(await ends(debugA, "127.0.95.2").dropFirst(beforeA).first)
            #expect(onA["reason"] as? String == "operator_disconnect" && onA["side"] as? String == "local")
            #expect(onA["session_seconds"] is Double)
            let onB = try #require(await ends(debugB, "127.0.95.1").dropFirst(beforeB).first)
            #expect(onB["reason"] as? String == "remote_closed" && onB["side"] as? String == "remote")
            #expect(onB["remote_reason"] as? String == "operator_disconnect")

            #expect(
                await metricSample(debugA, "meshnode_disconnects_total{reason=\"operator_disconnect\",side=\"local\"}")
                    == 1)
            #expect(
                // ≥ 1: when B dials A again, a simultaneous dial of A's may be cut as a duplicate by A.
                (await metricSample(debugB, "meshnode_disconnects_total{reason=\"remote_closed\",side=\"remote\"}") ?? 0)
                    >= 1)
            #expect(
                await metricSample(debugB, "meshnode_disconnects_total{reason=\"remote_closed\",side=\"local\"}") == 0)

            // The funnel of B's ticks: A is known, and each tick considered it.
            let (_, funnelBody) = try await http(debugB, "/api/p2p/funnel")
            let last = try #require(try jsonObject(funnelBody)["last"] as? [String: Any])
            #expect((last["known"] as? Int ?? 0) >= 1 && (last["candidates"] as? Int ?? 0) >= 1, "\(last)")

            #expect((await metricSample(debugB, "meshnode_funnel_total{stage=\"dialed\"}") ?? 0) >= 1)
            #expect((await metricSample(debugB, "meshnode_funnel_total{stage=\"handshake_ok\"}") ?? 0) >= 1)
            #expect(try await http(debugA, "/api/p2p/why/127.0.95.77").0 == 404)
            #expect(try await http(debugA, "/api/p2p/why/nonsense").0 == 400)
        }
    }
}
