import Foundation
import Testing

@testable import Wire

/// Issue #12's log attack against the real binary: one IP opens connections as fast as it
/// can. The node's log must not grow with the attacker's rate (beyond a first burst, at most
/// one line a second per event), while its metrics still count every connection.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct LogFloodTests {
    /// The events a refused or abandoned inbound connection is logged as.
    static let floodEvents = ["peer.refused", "handshake.failed"]
    /// LogBudget.Policy.standard's burst.
    static let burst = 20

    @Test func connectFloodFromOneIP_logsABoundedNumberOfLines_andMetricsCountEveryConnection() async throws {
        try await withChildProcesses {
            let dir = BinaryTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // One slot: while one connection of the flood is pending, the others are refused;
            // the pending one is abandoned before its handshake. (No silent connection from
            // another IP holds the slot: the node admits connections in no fixed order, so it
            // might be that one which is refused, and its line is not the flood's.)
            let node = try NodeProcess(
                [
                    "run", "--listen", "127.0.46.1:7071", "--debug-listen", "127.0.46.1:7070", "--lan", "--tick", "5",
                    "--max-peers", "1", "--min-outbound", "1", "--handshake-timeout", "60", "--data-dir", dir,
                ], environment: ["MESHNODE_DEBUG_PUBLIC_PEERS": "1"])
            defer {
                // A node that died mid-flood: say how, with the end of its log (it is removed on stop).
                if !node.process.isRunning {
                    let tail = node.log.split(separator: "\n").suffix(40).joined(separator: "\n")
                    Issue.record("node exited with \(node.process.terminationStatus):\n\(tail)")
                }
                node.stop()
            }
            let debug = address("127.0.46.1:7070")
            let target = address("127.0.46.1:7071")
            #expect(await waitFor { (try? await http(debug, "/health").0) == 200 })
            let started = ContinuousClock.now

            // Four connectors from one IP for 4 s (at most 2,000 connects each, so that a
            // sanitizer-built node catches up in bounded time): each connect is closed at once.
            let source = IPAddress(parsing: "127.0.46.3")
            let total = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var made = 0
                        while ContinuousClock.now - started < .seconds(4) && made < 2_000 {
                            guard
                                let connection = try? await Connection.connect(
                                    to: target, from: source, timeout: .seconds(2))
                            else { continue }
                            made += 1
                            await connection.close()
                        }
                        return made
                    }
                }
                return await group.reduce(0, +)
            }
            // Even a sanitizer build makes hundreds: 10× what the budget lets through.
            #expect(total >= 250, "only \(total) connects in 4 s: not a flood")

            // The metrics count every connection, written to the log or not.
            let counted: @Sendable () async -> Int = {
                var sum = 0
                for event in Self.floodEvents {
                    sum += Int(await metricSample(debug, "meshnode_log_events_total{event=\"\(event)\"}") ?? 0)
                }
                return sum
            }
            // A connection the client saw established may still be dropped by the kernel from a
            // full accept queue before the node takes it (the flood outruns the node): so the
            // node's count may fall a little short of the client's, never above it.
            _ = await waitFor(.seconds(30)) { await counted() == total }
            let taken = await counted()
            #expect(taken <= total && taken >= total - total / 20, "the node counted \(taken) of \(total)")
            // Exact from there: every one the node counted is a line or in a summary (written
            // within 10 s of the first one it summarizes).
            let accounted: @Sendable () -> Int = {
                Self.floodEvents.reduce(0) { sum, event in
                    let written = node.events(event, peer: "127.0.46.3").count
                    let summarized = node.events("log.suppressed").filter { $0["suppressed_event"] as? String == event }
                        .reduce(0) { $0 + ($1["suppressed"] as? Int ?? 0) }
                    return sum + written + summarized
                }
            }
            #expect(await waitFor(.seconds(30)) { accounted() == taken }, "accounted \(accounted()) of \(taken)")
            let elapsed = (ContinuousClock.now - started).components.seconds + 1
            for event in Self.floodEvents {
                let lines = node.events(event, peer: "127.0.46.3").count
                let summaries = node.events("log.suppressed").filter { $0["suppressed_event"] as? String == event }
                let seen = Int(await metricSample(debug, "meshnode_log_events_total{event=\"\(event)\"}") ?? 0)
                let suppressed = Int(
                    await metricSample(debug, "meshnode_log_suppressed_total{event=\"\(event)\"}") ?? -1)
                #expect(
                    lines + summaries.count <= Self.burst + Int(elapsed),
                    "\(event): \(lines) lines and \(summaries.count) summaries in \(elapsed) s")
                #expect(
                    seen - suppressed == lines, "\(event): \(seen) seen, \(suppressed) suppressed, \(lines) written")
            }
            print(
                "log flood: \(total) connects in 4 s from one IP -> \(node.log.split(separator: "\n").count) log lines")
            #expect(node.process.isRunning)
        }
    }
}
