import Testing

@testable import Actors
@testable import Wire

@Suite struct RefusalLogTests {
    @Test func aFloodOfRefusals_isAFewLinesAndOneSummaryPerWindow() {
        var log = RefusalLog()
        var lines = 0
        var summaries: [[ReasonCode: Int]] = []
        // 1,000 refusals a second for 25 s.
        for step in 0..<25_000 {
            let now = Double(step) / 1000
            if let summary = log.summary(now: now) { summaries.append(summary) }
            if log.record(step.isMultiple(of: 2) ? .ipLimit : .throttled, now: now) { lines += 1 }
        }
        #expect(lines == 3 * RefusalLog.individualPerWindow)
        #expect(summaries.count == 2)
        // Every refusal of a finished window is accounted for: logged, or in its summary.
        let summarized = summaries.flatMap(\.values).reduce(0, +)
        #expect(summarized + 2 * RefusalLog.individualPerWindow == 20_000)
        #expect(summaries[0][.ipLimit] == 4_995 && summaries[0][.throttled] == 4_995)
    }

    @Test func aQuietWindow_hasNoSummary() {
        var log = RefusalLog()
        let first = log.record(.ipLimit, now: 0)
        let summary = log.summary(now: 11)
        let next = log.record(.ipLimit, now: 12)
        #expect(first && summary == nil && next)
    }
}
