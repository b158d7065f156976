import Testing

@testable import Wire

@Suite struct ReactorPassStatsTests {
    @Test func passes_fallIntoTheirBuckets_andSlowOnesAreReportedOnce() {
        var stats = ReactorPassStats()
        stats.record(5_000)  // 5 µs
        stats.record(3_000_000)  // 3 ms
        stats.record(150_000_000)  // 150 ms: slow
        stats.record(2_000_000_000)  // 2 s: past every bound, slow
        #expect(stats.count == 4)
        #expect(stats.counts[0] == 1)
        #expect(stats.counts[ReactorPassStats.bounds.firstIndex(of: 0.005)!] == 1)
        #expect(stats.overflow == 1)
        #expect(stats.maximumNanoseconds == 2_000_000_000)
        let slow = stats.takeSlowPasses()
        #expect(slow.count == 2 && slow.longestNanoseconds == 2_000_000_000)
        let again = stats.takeSlowPasses()
        #expect(again.count == 0)
        #expect(stats.slowPasses == 2)
    }

    @Test func theLoop_countsItsPasses() async throws {
        try await Reactor.withReactor { reactor in
            let before = reactor.passStats.count
            for _ in 0..<3 { try await reactor.sleep(for: .milliseconds(1)) }
            #expect(reactor.passStats.count > before)
        }
    }
}
