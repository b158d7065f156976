import Foundation
import Synchronization
import Testing

@testable import Diagnostics

/// The Logger applies the budget to outsider events only, writes the summary line the
/// budget asks for, and keeps exact counts for the metrics.
@Suite struct LoggerBudgetTests {
    final class ManualClock: Sendable {
        let nanoseconds = Atomic<UInt64>(1_000_000_000)
        func advance(seconds: UInt64) { nanoseconds.add(seconds * 1_000_000_000, ordering: .relaxed) }
        func now() -> UInt64 { nanoseconds.load(ordering: .relaxed) }
    }

    /// Runs `body` with a JSON logger writing to a fresh file; returns the lines written.
    func logLines(_ body: (Logger, ManualClock) -> Void) throws -> [[String: Any]] {
        let path = NSTemporaryDirectory() + "meshnode-logger-\(UInt32.random(in: 0...UInt32.max))"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        let clock = ManualClock()
        let logger = Logger(
            minimumLevel: .info, format: .json, descriptor: handle.fileDescriptor, redactor: Redactor(enabled: false),
            budget: .init(burst: 3, refillInterval: .seconds(2), summaryInterval: .seconds(10)),
            clock: { clock.now() })
        body(logger, clock)
        logger.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func outsiderFlood_isCutToTheBurstAndOneSummary_nodeEventsAllPass() throws {
        let lines = try logLines { logger, clock in
            for index in 0..<100 {
                logger.log(
                    .info, "peer.refused", peer: "11.1.0.\(index % 250):7071", reason: "throttled", origin: .outsider)
                logger.log(.info, "dial.failed", peer: "11.2.0.1:7071", reason: "timeout")
            }
            #expect(logger.outsiderCounts().seen["peer.refused"] == 100)
            #expect(logger.outsiderCounts().suppressed["peer.refused"] == 97)
            #expect(logger.outsiderCounts().seen["dial.failed"] == nil)
            clock.advance(seconds: 10)
            logger.writeDueSummaries()
        }
        #expect(lines.filter { $0["event"] as? String == "dial.failed" }.count == 100)
        #expect(lines.filter { $0["event"] as? String == "peer.refused" }.count == 3)
        let summaries = lines.filter { $0["event"] as? String == "log.suppressed" }
        #expect(summaries.count == 1)
        #expect(summaries.first?["suppressed_event"] as? String == "peer.refused")
        #expect(summaries.first?["suppressed"] as? Int == 97)
        #expect(summaries.first?["interval_s"] as? Double == 10)
        #expect(summaries.first?["level"] as? String == "info")
    }

    @Test func flushAtExit_writesTheCountsStillPending() throws {
        let lines = try logLines { logger, clock in
            for _ in 0..<10 { logger.log(.info, "handshake.failed", origin: .outsider) }
            clock.advance(seconds: 4)
        }
        let summaries = lines.filter { $0["event"] as? String == "log.suppressed" }
        #expect(summaries.count == 1)
        #expect(summaries.first?["suppressed"] as? Int == 7)
        #expect(summaries.first?["interval_s"] as? Double == 4)
    }

    @Test func aDueSummary_isWrittenBeforeTheNextOutsiderLine() throws {
        let lines = try logLines { logger, clock in
            for _ in 0..<5 { logger.log(.warning, "peer.bad_message", origin: .outsider) }
            clock.advance(seconds: 11)
            logger.log(.warning, "peer.bad_message", origin: .outsider)
        }
        let events = lines.compactMap { $0["event"] as? String }
        #expect(events == Array(repeating: "peer.bad_message", count: 3) + ["log.suppressed", "peer.bad_message"])
        #expect(lines[3]["suppressed"] as? Int == 2)
    }
}
