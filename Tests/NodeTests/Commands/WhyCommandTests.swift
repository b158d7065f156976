import Testing

@testable import Diagnostics
@testable import Node

/// `meshnode why IP`: the node's decisions about one peer, for a person, from the JSON of
/// `GET /api/p2p/why/IP` (docs/operations.md, "Why, funnel, ledger").
@Suite struct WhyCommandTests {
    /// 2026-11-28T12:00:00Z.
    static let now = 1_795_867_200.0

    /// A peer that was dialed, held a session the peer ended, failed a handshake and is now
    /// cooling down and held off as flapping; the fields as the node writes them.
    static let fixture = """
        {"ip":"203.0.113.10","address":"203.0.113.10:7071","source":"gossip","connected":false,
         "direction":null,"connected_since_unix":null,"cooldown_until_unix":1795867230.5,
         "banned_until_unix":null,"flapping_until_unix":1795867260,"failures":2,
         "disconnects":{"by_reason":[{"reason":"remote_closed","side":"remote","count":3}],
           "remote_reasons":{"shutdown":3},"last_reason":"remote_closed","last_side":"remote",
           "last_remote_reason":"shutdown","last_unix":1795867100},
         "decisions":[
          {"ts_unix":1795866600,"event":"dialed","source":"gossip","repeats":1,"last_unix":1795866600},
          {"ts_unix":1795866600.2,"event":"connected","direction":"outbound","repeats":1,"last_unix":1795866600.2},
          {"ts_unix":1795867100,"event":"disconnected","reason":"remote_closed","side":"remote",
           "remote_reason":"shutdown","session_seconds":499.8,"repeats":1,"last_unix":1795867100},
          {"ts_unix":1795867150,"event":"handshake_failed","reason":"handshake_timeout",
           "cooldown_until_unix":1795867230.5,"repeats":1,"last_unix":1795867150},
          {"ts_unix":1795867160,"event":"flapping","reason":"flapping","until_unix":1795867260,"repeats":1,
           "last_unix":1795867160},
          {"ts_unix":1795867170,"event":"skipped","reason":"cooldown_active","repeats":4,"last_unix":1795867190},
          {"ts_unix":1795867195,"event":"teleported","where":"mars","repeats":1,"last_unix":1795867195}
         ]}
        """

    static func lines() throws -> [String] {
        WhyCommand.render(try JSONValue.parse(Array(fixture.utf8)), now: now)
    }

    @Test func header_namesThePeerHowItIsKnownAndThatItIsNotConnected() throws {
        let lines = try Self.lines()
        #expect(lines[0] == "203.0.113.10 (listens on 203.0.113.10:7071, known from gossip)")
        #expect(lines[1] == "  now: not connected")
    }

    @Test func holdsInForce_showTheirEndInUTCAndAsTimeLeft() throws {
        let lines = try Self.lines()
        #expect(lines.contains("  cooling down after a failure until 2026-11-28T12:00:30Z (in 30s)"), "\(lines)")
        #expect(lines.contains("  held off as flapping until 2026-11-28T12:01:00Z (in 1m0s)"), "\(lines)")
        #expect(!lines.contains { $0.contains("banned") }, "no ban is in force: \(lines)")
        #expect(lines.contains("  failures in a row: 2"))
    }

    @Test func ledger_saysWhoEndedTheSessions() throws {
        #expect(try Self.lines().contains("  sessions ended: remote_closed ended by them ×3"))
    }

    @Test func decisions_oneLineEach_oldestFirstNewestLast_withAgeAndUTC() throws {
        let lines = try Self.lines()
        guard let start = lines.firstIndex(of: "  decisions (oldest first, newest last):") else {
            Issue.record("no decisions heading: \(lines)")
            return
        }
        let decisions = Array(lines[(start + 1)...])
        #expect(decisions.count == 7, "\(decisions)")
        guard decisions.count == 7 else { return }
        #expect(decisions[0].hasPrefix("  10m0s ago 2026-11-28T11:50:00Z dialed (source gossip)"), "\(decisions[0])")
        #expect(decisions[1].hasSuffix("connected, outbound"))
        #expect(
            decisions[2].hasSuffix("session ended: remote_closed, ended by them (they said shutdown), after 8m19s"),
            "\(decisions[2])")
        #expect(
            decisions[3].hasSuffix(
                "handshake failed: handshake_timeout; cooldown until 2026-11-28T12:00:30Z (in 30s)"),
            "\(decisions[3])")
        #expect(decisions[4].hasSuffix("held off as flapping until 2026-11-28T12:01:00Z (in 1m0s)"), "\(decisions[4])")
        #expect(decisions[5].hasSuffix("skipped: cooldown_active (×4, last 10s ago)"), "\(decisions[5])")
        // An event from a newer node is shown with its fields, not dropped.
        #expect(decisions[6].hasSuffix("teleported where=mars"), "\(decisions[6])")
    }

    @Test func connectedPeer_showsDirectionAndHowLong() throws {
        let json = try JSONValue.parse(
            Array(
                #"{"ip":"10.0.0.7","address":null,"source":null,"connected":true,"direction":"inbound","connected_since_unix":1795867080,"decisions":[]}"#
                    .utf8))
        let lines = WhyCommand.render(json, now: Self.now)
        #expect(lines[0] == "10.0.0.7 (not in the peer book)")
        #expect(lines[1] == "  now: connected, inbound, for 2m0s (since 2026-11-28T11:58:00Z)")
        #expect(lines.last == "  no decisions recorded")
    }

    @Test func hostileNumbers_doNotTrap() throws {
        let json = try JSONValue.parse(
            Array(
                #"{"ip":"10.0.0.7","connected":true,"connected_since_unix":-1e300,"cooldown_until_unix":1e300,"disconnects":{"by_reason":[{"reason":"x","side":"y","count":-5}]},"decisions":[{"ts_unix":1e308,"event":"disconnected","session_seconds":-1e308,"repeats":9,"last_unix":-1e308}]}"#
                    .utf8))
        let lines = WhyCommand.render(json, now: Self.now)
        #expect(lines.contains("  sessions ended: x ended by y ×0"), "\(lines)")
        #expect(lines.count == 6, "\(lines)")
    }

    @Test func parse_takesOneNumericIP_andRefusesAPortOrAName() throws {
        let parsed = try Command.parse(["why", "203.0.113.10", "--debug-url", "http://127.0.0.1:7070"]) { _ in nil }
        guard case .why(let ip, let url) = parsed else {
            Issue.record("\(parsed)")
            return
        }
        #expect(ip == "203.0.113.10" && url == "http://127.0.0.1:7070")
        if case .why(let ip, _) = try Command.parse(["why", "2001:db8::1"], environment: { _ in nil }) {
            #expect(ip == "2001:db8::1")
        } else {
            Issue.record("IPv6 refused")
        }
        for bad in [
            ["why"], ["why", "203.0.113.10:7071"], ["why", "example.com"], ["why", "1.2.3.4", "5.6.7.8"],
            ["why", "1.2.3.4", "--debug-url"], ["why", "1.2.3.4%00"],
        ] {
            #expect(throws: Command.UsageError.self, "\(bad)") { try Command.parse(bad) { _ in nil } }
        }
        #expect(Command.usage.contains("meshnode why IP"))
    }
}
