import Testing

@testable import Actors
@testable import Wire

/// The per-peer budgets as pure values (DESIGN.md "Every peer has a budget").
@Suite struct ReceiveBudgetTests {
    @Test func readingPauses_onlyPastTheLimit() {
        var budget = ReceiveBudget(limit: 1000)
        let result1 = budget.charge(1000)
        #expect(!result1)
        let result2 = budget.charge(1)
        #expect(result2)
        #expect(budget.queued == 1001)
    }

    @Test func aPause_endsOnlyAtTheLowWatermark_notJustBelowTheLimit() {
        var budget = ReceiveBudget(limit: 1000)
        _ = budget.charge(1200)
        let result3 = budget.release(300)  // 900: below the limit, above half of it
        #expect(!result3)
        #expect(budget.paused)
        let result4 = budget.release(400)  // 500: the low watermark
        #expect(result4)
        #expect(!budget.paused)
    }

    @Test func outsideNumbers_neitherTrapNorGoNegative() {
        var budget = ReceiveBudget(limit: 1000)
        _ = budget.charge(.max)
        _ = budget.charge(.max)
        #expect(budget.queued == .max)
        _ = budget.release(.max)
        _ = budget.release(5)
        #expect(budget.queued == 0)
        _ = budget.charge(-5)
        #expect(budget.queued == 0)
    }

    @Test func theLedger_wakesAPausedSession_whenTheApplicationDrains() async {
        let ledger = ReceiveLedger(limit: 100)
        #expect(ledger.charge(150))
        let waiting = Task { await ledger.waitForRoom() }
        ledger.release(60)  // 90: still paused
        ledger.release(40)  // 50: resumes
        await waiting.value
        #expect(ledger.queued == 50)
    }

    @Test func anInterruptedLedger_doesNotWait() async {
        let ledger = ReceiveLedger(limit: 100)
        _ = ledger.charge(150)
        ledger.interrupt()
        await ledger.waitForRoom()  // returns: the session is over
        #expect(ledger.queued == 150)
    }

    @Test func takenPayloads_goBackToTheirPeersBudget() async {
        let ledger = ReceiveLedger(limit: 10)
        let channel = PayloadChannel()
        let peer = PeerIP(.v4(0x7F00_0002))
        _ = ledger.charge(12)
        channel.yield([Delivery(peer: peer, bytes: Array(repeating: 1, count: 12), ledger: ledger)])
        channel.finish()
        var iterator = Payloads(channel: channel).makeAsyncIterator()
        _ = await iterator.next()
        #expect(ledger.queued == 0)
    }
}

@Suite struct TokenBucketTests {
    let second: UInt64 = 1_000_000_000

    @Test func aFullBucket_grantsItsBurst_thenTheRate() {
        var bucket = TokenBucket(rate: 0.1, burst: 1000, now: 0)
        let result5 = bucket.take(1500, now: 0)
        #expect(result5 == 1000)
        let result6 = bucket.take(10, now: 0)
        #expect(result6 == 0)
        let result7 = bucket.take(10, now: 50 * second)  // 0.1/s for 50 s
        #expect(result7 == 5)
    }

    @Test func savedTokens_neverExceedTheBurst() {
        var bucket = TokenBucket(rate: 1, burst: 2, now: 0)
        let result8 = bucket.take(5, now: 3600 * second)
        #expect(result8 == 2)
    }

    @Test func oneAnswerPerInterval_withTwoSaved() {
        var bucket = TokenBucket(rate: 1.0 / 30, burst: 2, now: 0)
        let result9 = bucket.takeOne(now: 0)
        #expect(result9)
        let result10 = bucket.takeOne(now: 1)
        #expect(result10)
        let result11 = bucket.takeOne(now: 10 * second)
        #expect(!result11)
        let result12 = bucket.takeOne(now: 31 * second)
        #expect(result12)
        let result13 = bucket.takeOne(now: 32 * second)
        #expect(!result13)
    }

    @Test func aClockThatStandsStill_addsNothing() {
        var bucket = TokenBucket(rate: 1, burst: 1, now: 5 * second)
        let result14 = bucket.takeOne(now: 5 * second)
        #expect(result14)
        let result15 = bucket.takeOne(now: 4 * second)
        #expect(!result15)
    }
}

@Suite struct AddressSampleTests {
    let address = SocketAddress(ip: .v4(0x0A00_0001), port: 7071)

    @Test func theSample_isComputedOncePerInterval() {
        var sample = AddressSample(interval: .seconds(30))
        var computed = 0
        let compute = { () -> [SocketAddress] in
            computed += 1
            return [address]
        }
        for second in 0..<30 { _ = sample.addresses(now: UInt64(second) * 1_000_000_000, compute: compute) }
        #expect(computed == 1)
        let result16 = sample.addresses(now: 30_000_000_000, compute: compute)
        #expect(result16 == [address])
        #expect(computed == 2)
    }
}
