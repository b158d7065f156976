import Testing

@testable import Diagnostics

/// The funnel answers "where do my dials go": known → candidates → skipped → dialed → TCP ok
/// → handshake ok → still up one tick later, per tick.
@Suite struct FunnelTests {
    @Test func oneTick_countsEveryStage_andStillUpIsSettledByTheNextTick() throws {
        var funnel = Funnel()
        funnel.beginTick(1, known: 40, connected: [], now: 0)
        for reason in ["cooldown_active", "cooldown_active", "private_ip_blocked"] {
            funnel.record(.skipped(reason: reason), ip: "x", now: 0)
        }
        for ip in ["a", "b", "c", "d"] { funnel.record(.dialed(source: "peer_book"), ip: ip, now: 0) }
        funnel.record(.dialFailed(reason: "connection_refused", handshake: false, cooldownUntil: nil), ip: "a", now: 1)
        funnel.record(.dialFailed(reason: "genesis_mismatch", handshake: true, cooldownUntil: nil), ip: "b", now: 1)
        funnel.record(.connected(direction: "outbound"), ip: "c", now: 1)
        funnel.record(.connected(direction: "outbound"), ip: "d", now: 1)
        funnel.record(.connected(direction: "inbound"), ip: "e", now: 1)  // not ours: not in the funnel
        var tick = try #require(funnel.last)
        #expect(tick.known == 40 && tick.candidates == 7 && tick.skippedTotal == 3 && tick.dialed == 4)
        #expect(tick.skipped == ["cooldown_active": 2, "private_ip_blocked": 1])
        #expect(tick.tcpOK == 3 && tick.handshakeOK == 2)
        #expect(tick.stillUpNextTick == nil)
        funnel.beginTick(2, known: 41, connected: ["d", "e"], now: 30)
        tick = try #require(funnel.ticks.first)
        #expect(tick.stillUpNextTick == 1)  // c dropped before the next tick
        #expect(funnel.last?.tick == 2 && funnel.last?.candidates == 0)
        #expect(
            funnel.totals == [
                "candidates": 7, "skipped": 3, "dialed": 4, "tcp_ok": 3, "handshake_ok": 2, "still_up_next_tick": 1,
            ])
    }

    @Test func beginTick_sameTickAgain_keepsCounting() {
        var funnel = Funnel()
        funnel.beginTick(5, known: 3, connected: [], now: 0)
        funnel.record(.dialed(source: "seed"), ip: "a", now: 0)
        funnel.beginTick(5, known: 3, connected: [], now: 1)
        funnel.record(.dialed(source: "seed"), ip: "b", now: 1)
        #expect(funnel.ticks.count == 1 && funnel.last?.dialed == 2)
    }

    @Test func ticks_areBounded_andEventsBeforeTheFirstTickAreIgnored() {
        var funnel = Funnel(capacity: 10)
        funnel.record(.dialed(source: "seed"), ip: "a", now: 0)
        #expect(funnel.ticks.isEmpty)
        for tick in 1...100 { funnel.beginTick(tick, known: tick, connected: [], now: Double(tick)) }
        #expect(funnel.ticks.count == 10)
        #expect(funnel.ticks.map(\.tick) == Array(91...100))
    }

    @Test func json_namesEveryStage() {
        var funnel = Funnel()
        funnel.beginTick(1, known: 2, connected: [], now: 0)
        funnel.record(.skipped(reason: "already_connected"), ip: "a", now: 0)
        let text = funnel.last!.json.render()
        for key in [
            "\"known\":2", "\"candidates\":1", "\"skipped\":1", "\"dialed\":0", "\"tcp_ok\":0", "\"handshake_ok\":0",
            "\"still_up_next_tick\":null", "{\"reason\":\"already_connected\",\"count\":1}",
        ] {
            #expect(text.contains(key), "\(key) in \(text)")
        }
    }
}
