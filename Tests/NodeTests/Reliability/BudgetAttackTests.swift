import Foundation
import Testing

@testable import Wire

/// Issue #12's resource attacks from scripts/hostile_peer.py against the real binary, with an
/// honest peer beside them: memory stays within the budgets, the honest session survives,
/// `/health` keeps answering, and the log stays short.
///
/// Not under ThreadSanitizer: a TSan-built node takes a 6 s flood at a few MB (one CI rehearsal
/// saw 7 MiB of 128), so nothing reaches a budget; the plain and AddressSanitizer runs hold it.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil && !threadSanitizerInUse))
struct BudgetAttackTests {
    /// Sizes small enough for a sanitizer build, large enough that an unbounded queue shows:
    /// before the budgets, 128 MiB of payloads left ~128 MiB resident.
    static let floodBytes = 128 << 20

    @Test func floodsAndNonReadingPeers_stayWithinBudget_andTheHonestPeerKeepsItsSession() async throws {
        try await withChildProcesses {
            let (dirA, dirB) = (BinaryTests.temporaryDirectory(), BinaryTests.temporaryDirectory())
            defer { for dir in [dirA, dirB] { try? FileManager.default.removeItem(atPath: dir) } }
            let liveness = ["--ping-interval", "0.5", "--ping-timeout", "5"]
            let target = try NodeProcess(
                [
                    "run", "--listen", "127.0.47.1:7071", "--debug-listen", "127.0.47.1:7070", "--lan", "--tick", "5",
                    "--max-peers", "32", "--data-dir", dirA,
                ] + liveness, environment: ["MESHNODE_DEBUG_PUBLIC_PEERS": "1"])
            defer { target.stop() }
            let debug = address("127.0.47.1:7070")
            #expect(await waitFor { (try? await http(debug, "/health").0) == 200 })
            let honest = try NodeProcess(
                [
                    "run", "--listen", "127.0.47.2:7071", "--debug-listen", "off", "--lan", "--tick", "0.5",
                    "--data-dir", dirB, "--peer", "127.0.47.1:7071",
                ] + liveness)
            defer { honest.stop() }
            let honestSince: @Sendable () async -> Double? = { await connectedSince(debug, peer: "127.0.47.2") }
            #expect(await waitFor { await honestSince() != nil }, "log: \(target.log)")
            let since = await honestSince()
            let residentBefore = target.residentKiB
            let linesBefore = target.log.split(separator: "\n").count

            let attacks: [(source: String, arguments: [String])] = [
                ("127.0.47.10", ["--scenario", "payload-flood", "--bytes", String(Self.floodBytes)]),
                ("127.0.47.11", ["--scenario", "pings-no-read"]),
                ("127.0.47.12", ["--scenario", "pings-no-read"]),
                ("127.0.47.13", ["--scenario", "getpeers-no-read"]),
                ("127.0.47.14", ["--scenario", "getpeers-flood"]),
            ]
            let script = repositoryRoot + "/scripts/hostile_peer.py"
            let peak = LockedValue(residentBefore)
            let healthFailures = LockedValue(0)
            let outputs = try await withThrowingTaskGroup(of: (String, String)?.self) { group in
                for attack in attacks {
                    group.addTask {
                        let (_, output, _) = try await runTool(
                            "/usr/bin/env",
                            ["python3", script, "--target", "127.0.47.1:7071", "--source", attack.source]
                                + attack.arguments + ["--seconds", "6"], timeout: .seconds(60))
                        return (attack.source, output.split(separator: "\n").last.map(String.init) ?? "")
                    }
                }
                // Meanwhile: the node's memory, and /health answering (the reactor is not held).
                group.addTask {
                    let started = ContinuousClock.now
                    while ContinuousClock.now - started < .seconds(6) {
                        let resident = target.residentKiB
                        peak.withLock { $0 = max($0, resident) }
                        if (try? await http(debug, "/health").0) != 200 { healthFailures.withLock { $0 += 1 } }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    return nil
                }
                return try await group.reduce(into: [String: [String: Any]]()) { results, pair in
                    guard let (source, line) = pair else { return }
                    results[source] =
                        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? ["error": line]
                }
            }
            // Memory comes back once they are gone: within 16 MiB of the baseline 10 s after
            // (issue #12: 707 MiB still resident 33 s after 16 non-readers left). ASan's shadow
            // memory and quarantine keep what it frees.
            let back = await waitFor(.seconds(10)) {
                target.residentKiB - residentBefore < 16 * 1024
            }
            #expect(
                addressSanitizerInUse || back,
                "RSS \(residentBefore) KiB before, \(target.residentKiB) KiB 10 s after the attackers left")
            let flood = try #require(outputs["127.0.47.10"])
            let floodBytes = flood["flood_bytes"] as? Int ?? 0
            // The flood is bounded by time too (6 s): a sanitizer-built node takes it slower (a
            // TSan run sent 127.4 of 128 MiB). Half of it is still 12 times the receive budget.
            #expect(floodBytes >= Self.floodBytes / 2, "\(flood)\n\(target.log)")
            // Whole 64 KiB payloads in the frames sent (each frame: length, kind, channel, payload).
            let payloadBytes = Double(floodBytes / (4 + 1 + 2 + 65_536) * 65_536)
            // The binary takes every payload (counted), and holds at most its budgets meanwhile:
            // 5 MiB per peer toward the application, 1 MiB (+ a read) queued per non-reader.
            #expect(
                await waitFor(.seconds(20)) {
                    await metricSample(debug, "meshnode_payloads_received_bytes_total") ?? 0 >= payloadBytes
                })
            #expect(
                addressSanitizerInUse || peak.withLock { $0 } - residentBefore < 48 * 1024,
                "RSS \(residentBefore) -> peak \(peak.withLock { $0 }) KiB")
            // Non-readers were stopped at the send budget; GetPeers floods cut off.
            #expect(await metricSample(debug, "meshnode_budget_pauses_total{budget=\"send\"}") ?? 0 >= 1)
            for source in ["127.0.47.13", "127.0.47.14"] {
                let result = try #require(outputs[source])
                #expect(result["closed_by_node"] as? Bool == true, "\(source): \(result)")
            }
            #expect(target.events("peer.get_peers_flood").count <= 2)
            #expect(healthFailures.withLock { $0 } == 0, "/health failed to answer during the attacks")
            #expect(await honestSince() == since, "the honest peer was disconnected")
            // A line or two per attacker (connected, disconnected, the flood's warning), no more.
            let lines = target.log.split(separator: "\n").count - linesBefore
            #expect(lines <= 40, "\(lines) log lines:\n\(target.log)")
            print(
                "budget attacks: RSS \(residentBefore) -> peak \(peak.withLock { $0 }) KiB, \(lines) log lines")
            #expect(target.process.isRunning)
        }
    }
}
