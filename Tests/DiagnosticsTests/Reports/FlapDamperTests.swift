import Testing

@testable import Diagnostics

/// A peer that connects and drops more than N times in M minutes is held off (`flapping`)
/// with a visible end, each further hold twice as long up to a maximum.
@Suite struct FlapDamperTests {
    static let policy = FlapDamper.Policy(maximumDrops: 5, window: 600, baseHold: 60, maximumHold: 3600)

    @Test func nDropsPass_theNextWithinTheWindowStartsAHold() {
        var damper = FlapDamper(policy: Self.policy)
        for index in 0..<5 {
            #expect(damper.recordDrop(ip: "10.0.0.1", reason: "remote_closed", now: Double(index) * 100) == nil)
        }
        #expect(damper.holdUntil(ip: "10.0.0.1", now: 400) == nil)
        #expect(damper.recordDrop(ip: "10.0.0.1", reason: "remote_closed", now: 500) == 560)
        #expect(damper.holdUntil(ip: "10.0.0.1", now: 559) == 560)
        #expect(damper.holdUntil(ip: "10.0.0.1", now: 560) == nil)
        #expect(damper.held(now: 510).map(\.ip) == ["10.0.0.1"])
    }

    @Test func dropsSpreadPastTheWindow_neverHold() {
        var damper = FlapDamper(policy: Self.policy)
        for index in 0..<50 {
            #expect(damper.recordDrop(ip: "10.0.0.1", reason: "ping_timeout", now: Double(index) * 121) == nil)
        }
    }

    @Test func eachHold_doubles_upToTheMaximum_andIsForgottenAfterAQuietPeriod() {
        var damper = FlapDamper(policy: Self.policy)
        var now = 0.0
        var holds: [Double] = []
        for _ in 0..<8 {
            for _ in 0..<6 {
                now += 1
                if let until = damper.recordDrop(ip: "10.0.0.1", reason: "remote_closed", now: now) {
                    holds.append(until - now)
                }
            }
        }
        #expect(holds == [60, 120, 240, 480, 960, 1920, 3600, 3600])
        now += 3601
        for _ in 0..<5 { #expect(damper.recordDrop(ip: "10.0.0.1", reason: "remote_closed", now: now) == nil) }
        #expect(damper.recordDrop(ip: "10.0.0.1", reason: "remote_closed", now: now) == now + 60)
    }

    @Test func ourOwnChoices_doNotCount() {
        var damper = FlapDamper(policy: Self.policy)
        for index in 0..<20 {
            for reason in ["shutdown", "operator_disconnect", "operator_ban"] {
                #expect(damper.recordDrop(ip: "10.0.0.1", reason: reason, now: Double(index)) == nil)
            }
        }
    }

    // An attacker churning through many IPs must not make the node forget a held-off peer.
    @Test func aHeldPeer_outlivesAFloodOfOtherIPs() {
        var damper = FlapDamper(policy: Self.policy, peerLimit: 64)
        for index in 0..<6 { damper.recordDrop(ip: "10.0.0.1", reason: "remote_closed", now: Double(index)) }
        for index in 0..<10_000 {
            damper.recordDrop(ip: "172.16.\(index / 256).\(index % 256)", reason: "remote_closed", now: 10)
        }
        #expect(damper.holdUntil(ip: "10.0.0.1", now: 10) == 65)
    }
}
