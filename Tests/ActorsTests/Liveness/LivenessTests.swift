import Testing

@testable import Actors
@testable import Wire

@Suite struct LivenessTests {
    let ms: UInt64 = 1_000_000

    @Test func pingsOnInterval_andMeasuresRTT() {
        var liveness = Liveness(interval: .milliseconds(100), timeout: .milliseconds(300), now: 0)
        #expect(liveness.nextDeadline == 100 * ms)
        #expect(liveness.poll(now: 50 * ms) == .none)
        guard case .sendPing(let nonce) = liveness.poll(now: 100 * ms) else {
            Issue.record("expected a ping")
            return
        }
        #expect(liveness.pongReceived(nonce: nonce &+ 1, now: 105 * ms) == nil)  // wrong nonce: ignored
        #expect(liveness.nextDeadline == 400 * ms)
        #expect(liveness.pongReceived(nonce: nonce, now: 107 * ms) == 7 * ms)
        #expect(liveness.lastRTT == 7 * ms)
        #expect(liveness.poll(now: 150 * ms) == .none)
        #expect(liveness.nextDeadline == 200 * ms)
    }

    @Test func missedPong_timesOutAtSendPlusTimeout() {
        var liveness = Liveness(interval: .milliseconds(100), timeout: .milliseconds(300), now: 0)
        guard case .sendPing = liveness.poll(now: 100 * ms) else {
            Issue.record("expected a ping")
            return
        }
        #expect(liveness.poll(now: 200 * ms) == .none)  // no second ping while one is outstanding
        #expect(liveness.nextDeadline == 400 * ms)  // the pong's deadline, never a time already past
        #expect(liveness.poll(now: 399 * ms) == .none)
        #expect(liveness.poll(now: 400 * ms) == .timedOut)
    }
}

extension LivenessTests {
    @Test func slowPong_pastTheInterval_neverSchedulesIntoThePast() {
        var liveness = Liveness(interval: .milliseconds(1), timeout: .seconds(1), now: 0)
        guard case .sendPing(let nonce) = liveness.poll(now: 1 * ms) else {
            Issue.record("expected a ping")
            return
        }
        // The pong takes 50 intervals: every deadline asked for meanwhile is in the future.
        for step in stride(from: 2 * ms, to: 50 * ms, by: Int(ms)) {
            #expect(liveness.poll(now: step) == .none)
            #expect(liveness.nextDeadline > step)
        }
        #expect(liveness.pongReceived(nonce: nonce, now: 50 * ms) == 49 * ms)
        #expect(liveness.nextDeadline == 2 * ms)  // overdue: the next ping goes at the next poll
        if case .sendPing = liveness.poll(now: 50 * ms) {} else { Issue.record("expected the next ping") }
    }
}

extension LivenessTests {
    /// Pings keep their phase: a timer that ran late does not move every later ping.
    /// (Counting from the firing moment merged 100 peers' pings into a few bursts.)
    @Test func lateTimer_keepsThePhase() {
        var liveness = Liveness(
            interval: .milliseconds(100), timeout: .seconds(1), now: 0, firstPingAfter: .milliseconds(70))
        guard case .sendPing(let first) = liveness.poll(now: 95 * ms) else {  // due at 70, ran 25 ms late
            Issue.record("expected a ping")
            return
        }
        #expect(liveness.pongReceived(nonce: first, now: 96 * ms) == 1 * ms)
        #expect(liveness.nextDeadline == 170 * ms)  // 70 + 100, not 95 + 100
        guard case .sendPing(let second) = liveness.poll(now: 171 * ms) else {
            Issue.record("expected a ping")
            return
        }
        #expect(liveness.pongReceived(nonce: second, now: 172 * ms) == 1 * ms)
        #expect(liveness.nextDeadline == 270 * ms)
    }

    /// A loop stalled for several intervals sends one ping, then resumes on the old phase.
    @Test func stalledLoop_skipsMissedSlots_onTheSamePhase() {
        var liveness = Liveness(
            interval: .milliseconds(100), timeout: .seconds(1), now: 0, firstPingAfter: .milliseconds(70))
        guard case .sendPing(let nonce) = liveness.poll(now: 455 * ms) else {  // 70, 170, 270, 370 missed
            Issue.record("expected a ping")
            return
        }
        #expect(liveness.pongReceived(nonce: nonce, now: 456 * ms) == 1 * ms)
        #expect(liveness.nextDeadline == 470 * ms)
        #expect(liveness.poll(now: 469 * ms) == .none)
    }
}
