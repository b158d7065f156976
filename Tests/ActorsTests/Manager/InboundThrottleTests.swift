import Testing

@testable import Actors
@testable import Wire

@Suite struct InboundThrottleTests {
    static func ip(_ n: UInt32) -> PeerIP { PeerIP(.v4(0x0B00_0000 | n)) }

    @Test func reconnectWithinTheWindow_isRefused_andARefusalDoesNotExtendIt() {
        var throttle = InboundThrottle(window: 30)
        let outcomes = [
            throttle.admit(Self.ip(1), now: 0), throttle.admit(Self.ip(1), now: 29.9),
            throttle.admit(Self.ip(2), now: 29.9), throttle.admit(Self.ip(1), now: 30),
        ]
        #expect(outcomes == [true, false, true, true])
    }

    @Test func memory_isBounded_whateverTheNumberOfIPs() {
        var throttle = InboundThrottle(window: 30, capacity: 100)
        var largest = 0
        for n in 0..<10_000 {
            let admitted = throttle.admit(Self.ip(UInt32(n)), now: Double(n) / 1000)
            #expect(admitted)
            largest = max(largest, throttle.count)
        }
        #expect(largest == 100)
        // The most recent are still throttled; the oldest were dropped to make room.
        let recent = throttle.admit(Self.ip(9_999), now: 10)
        let oldest = throttle.admit(Self.ip(0), now: 10)
        #expect(!recent && oldest)
    }

    @Test func expiredEntries_areForgotten() {
        var throttle = InboundThrottle(window: 30)
        for n in 0..<50 { _ = throttle.admit(Self.ip(UInt32(n)), now: 0) }
        _ = throttle.admit(Self.ip(1000), now: 31)
        #expect(throttle.count == 1)
    }
}
