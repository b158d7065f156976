import Testing

@testable import Diagnostics

/// The log budget against a peer that triggers events as fast as it likes: the node's log
/// grows by a bounded number of lines per second, and the counts stay exact.
@Suite struct LogBudgetTests {
    static let second: UInt64 = 1_000_000_000
    let policy = LogBudget.Policy(burst: 20, refillInterval: .seconds(2), summaryInterval: .seconds(10))

    @Test func aBurstAtOneInstant_writesTheFirstLinesAndCountsTheRest() {
        var budget = LogBudget(policy: policy)
        let verdicts = (0..<1_000).map { _ in budget.admit("peer.refused", level: .info, now: 5 * Self.second) }
        #expect(verdicts.prefix(20).allSatisfy { $0 == .write })
        #expect(verdicts.dropFirst(20).allSatisfy { $0 == .suppress })
        #expect(budget.seen["peer.refused"] == 1_000)
        #expect(budget.suppressedTotal["peer.refused"] == 980)
    }

    @Test func suppressedEvents_areSummarizedOnceAtTheEndOfTheInterval() {
        var budget = LogBudget(policy: policy)
        for _ in 0..<25 { _ = budget.admit("peer.refused", level: .warning, now: 0) }
        #expect(budget.nextSummaryDue == 10 * Self.second)
        #expect(budget.dueSummaries(now: 10 * Self.second - 1).isEmpty)
        let summaries = budget.dueSummaries(now: 10 * Self.second)
        #expect(
            summaries == [
                .init(event: "peer.refused", level: .warning, suppressed: 5, intervalSeconds: 10, since: 0)
            ])
        #expect(budget.dueSummaries(now: 30 * Self.second).isEmpty)
        #expect(budget.nextSummaryDue == nil)
    }

    @Test func aSteadyFlood_writesAtMostOneLinePerSecondBeyondTheBurst() {
        var budget = LogBudget(policy: policy)
        var written = 0
        var summaries: [LogBudget.Summary] = []
        // 2,000 events a second for a minute (the rate does not matter past the refill rate).
        let step = Self.second / 2_000
        var now: UInt64 = 1_000 * Self.second
        let end = now + 60 * Self.second
        while now < end {
            summaries += budget.dueSummaries(now: now)
            if budget.admit("peer.refused", level: .info, now: now) == .write { written += 1 }
            now += step
        }
        summaries += budget.dueSummaries(now: now + 10 * Self.second)
        let lines = written + summaries.count
        #expect(lines - policy.burst <= 60, "\(written) lines and \(summaries.count) summaries in 60 s")
        #expect(written == 20 + 29)  // the burst, then one line every 2 s (the 60th second's is past the end)
        #expect(summaries.count == 6)  // one per 10 s
        let seen = budget.seen["peer.refused"] ?? 0
        #expect(written + summaries.reduce(0) { $0 + $1.suppressed } == seen)
        #expect(budget.suppressedTotal["peer.refused"] == seen - written)
    }

    @Test func atShutdown_pendingSummariesAreTakenEarly_withTheTimeTheyCover() {
        var budget = LogBudget(policy: policy)
        for _ in 0..<30 { _ = budget.admit("peer.refused", level: .info, now: 1 * Self.second) }
        let pending = budget.pendingSummaries(now: 4 * Self.second)
        #expect(pending.map(\.suppressed) == [10])
        #expect(pending.map(\.intervalSeconds) == [3])
        #expect(budget.pendingSummaries(now: 5 * Self.second).isEmpty)
        #expect(budget.nextSummaryDue == nil)
    }

    @Test func oneEventsFlood_doesNotSilenceAnother() {
        var budget = LogBudget(policy: policy)
        for _ in 0..<500 { _ = budget.admit("peer.refused", level: .info, now: 0) }
        #expect(budget.admit("peer.bad_message", level: .warning, now: 0) == .write)
    }

    @Test func aQuietPeriod_restoresTheWholeBurst() {
        var budget = LogBudget(policy: policy)
        for _ in 0..<100 { _ = budget.admit("handshake.failed", level: .info, now: 0) }
        #expect(budget.admit("handshake.failed", level: .info, now: 1 * Self.second) == .suppress)
        #expect(budget.admit("handshake.failed", level: .info, now: 2 * Self.second) == .write)
        let later = 3_600 * Self.second
        let verdicts = (0..<21).map { _ in budget.admit("handshake.failed", level: .info, now: later) }
        #expect(verdicts.filter { $0 == .write }.count == 20)
    }

    @Test func eventsBelowTheLogLevel_areCountedButSpendNoBudget() {
        var budget = LogBudget(policy: policy, minimumLevel: .warning)
        for _ in 0..<100 { #expect(budget.admit("peer.refused", level: .info, now: 0) == .belowLevel) }
        #expect(budget.seen["peer.refused"] == 100)
        #expect(budget.suppressedTotal["peer.refused"] == nil)
        #expect(budget.nextSummaryDue == nil)
    }

    @Test func aClockThatStepsBackOrSitsAtItsEnd_neverTrapsNorEarnsLines() {
        var budget = LogBudget(policy: policy)
        for _ in 0..<20 { _ = budget.admit("peer.refused", level: .info, now: 100 * Self.second) }
        #expect(budget.admit("peer.refused", level: .info, now: 0) == .suppress)
        #expect(budget.admit("peer.refused", level: .info, now: 1 * Self.second) == .suppress)
        #expect(budget.admit("peer.refused", level: .info, now: .max) == .write)
        #expect(budget.dueSummaries(now: .max).map(\.suppressed) == [2])

        var atTheEnd = LogBudget(policy: policy)
        for _ in 0..<50 { _ = atTheEnd.admit("peer.refused", level: .info, now: .max - 1) }
        #expect(atTheEnd.nextSummaryDue == .max)
        #expect(atTheEnd.dueSummaries(now: .max).map(\.suppressed) == [30])
    }

    @Test func extremeDurations_saturateInsteadOfTrapping() {
        let huge = LogBudget.Policy(burst: 0, refillInterval: .seconds(Int64.max), summaryInterval: .seconds(-5))
        #expect(huge.burst == 1)
        #expect(huge.refillInterval == .max)
        #expect(huge.summaryInterval == 1)
    }
}
