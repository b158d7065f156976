import Testing

@testable import Wire

@Suite struct ConnectionLifecycleTests {
    @Test func failure_tearsDownOnce_andTheFirstReasonWins() {
        var state = ConnectionLifecycle(connecting: false)
        #expect(state.fail(.closed) == .tearDown)
        #expect(state.fail(.slowPeer(buffered: 1)) == nil)
        #expect(state.failure == .closed)
        #expect(state.requestFlush() == nil)
    }

    @Test func duringDelivery_flushAndTeardownWait_andComeInTheOrderAsked() {
        var state = ConnectionLifecycle(connecting: false)
        state.beginDelivery()
        #expect(state.requestFlush() == nil)
        #expect(state.fail(.closed) == nil)
        #expect(state.isClosed)  // visible at once
        #expect(state.requestFlush() == nil)  // asked after the close: dropped
        #expect(state.endDelivery() == [.flush, .tearDown])
        #expect(state.endDelivery() == [])
    }

    @Test func aConnectingSocket_opensOnceConnected() {
        var state = ConnectionLifecycle(connecting: true)
        #expect(state.stage == .connecting)
        #expect(state.requestFlush() == nil)
        state.connected()
        #expect(state.stage == .open)
        let first = state.requestFlushAtEndOfPass()
        let second = state.requestFlushAtEndOfPass()
        #expect(first)
        #expect(!second)  // already scheduled
        #expect(state.requestFlush() == .flush)
    }
}
