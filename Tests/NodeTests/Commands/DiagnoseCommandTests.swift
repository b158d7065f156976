import Testing

@testable import Diagnostics
@testable import Node

/// `meshnode diagnose` read against the situations an operator meets (issue 16): the advice
/// comes from the same three documents the command fetches (`/api/p2p/debug`,
/// `/api/p2p/reasons`, `/api/p2p/stats`), shaped as the node renders them.
@Suite struct DiagnoseCommandTests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    /// The three documents of a node with `connected` peers (IPs 127.0.0.2…), `known` peers in
    /// its book, its limits, last cycle's tallies and the failure ring.
    static func advice(
        connected: Int, known: Int, target: Int = 8, maxPeers: Int? = 16, listenPort: Int = 7071,
        tallies: [(String, Int, [String])] = [], failures: [(String, String)] = [], cooldown: Int = 0
    ) throws -> [String] {
        let peers = (0..<connected).map {
            #"{"ip":"127.0.0.\#($0 + 2)","addr":"127.0.0.\#($0 + 2):7071","direction":"outbound","#
                + #""connected_since_unix":1000,"last_rtt_ms":0.2}"#
        }
        let ring = failures.map {
            #"{"addr":"\#($0.0)","reason":"\#($0.1)","timestamp_unix":1000,"source":"peer_book"}"#
        }
        let debug = try json(
            #"{"connected_peers":[\#(peers.joined(separator: ","))],"#
                + #""peer_book_counts":{"hot":0,"warm":0,"cold":0,"total":\#(known)},"#
                + #""dial_failures":[\#(ring.joined(separator: ","))]}"#)
        let limit = maxPeers.map { #","max_peers":\#($0)"# } ?? ""
        let reasonList = tallies.map { reason, count, samples in
            #"{"reason":"\#(reason)","count":\#(count),"samples":["#
                + samples.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
        }
        let reasons = try json(
            #"{"ts":"T","scope":"public","cycle":{"attempted":0,"connected":0,"final_connected":\#(connected),"#
                + #""target":\#(target)\#(limit),"min_outbound":\#(target),"lan":true,"listen_port":\#(listenPort)},"#
                + #""top_blockers":{"primary":null,"secondary":null,"third":null},"#
                + #""reasons":[\#(reasonList.joined(separator: ","))]}"#)
        let stats = try json(
            #"{"ts":"T","scope":"public","known_peers":\#(known),"connected":\#(connected),"connecting":0,"#
                + #""cooldown":\#(cooldown),"banned":0,"unhealthy":0,"attempted_last_cycle":0,"#
                + #""connected_last_cycle":0}"#)
        return DiagnoseCommand.advice(debug: debug, reasons: reasons, stats: stats)
    }

    @Test func completeFullMesh_sevenOfSevenKnown_isHealthy_notBelowTarget() throws {
        let advice = try Self.advice(connected: 7, known: 7, tallies: [("already_connected", 7, [])])
        #expect(advice.first?.hasPrefix("healthy: 7 peers connected") == true, "\(advice)")
        #expect(!advice.contains { $0.contains("below the outbound target") }, "\(advice)")
    }

    @Test func someKnownPeersNotConnected_isStillBuilding() throws {
        let advice = try Self.advice(connected: 3, known: 7)
        #expect(advice.first == "3 peers connected, below the outbound target of 8: still building", "\(advice)")
    }

    @Test func nothingConnected_onePeerCoolingDown_saysZeroConnectedFirst() throws {
        let advice = try Self.advice(
            connected: 0, known: 1, tallies: [("cooldown_active", 1, ["127.0.***:***#a1b2c3:7071"])],
            failures: [("127.0.0.2:7071", "connection_refused")], cooldown: 1)
        #expect(advice.first?.hasPrefix("0 peers connected") == true, "\(advice)")
        #expect(!advice.contains { $0.contains("normal mesh building") }, "\(advice)")
        #expect(advice.contains { $0.hasPrefix("1 peers cooling down after failed dials") }, "\(advice)")
        #expect(advice.contains { $0.hasPrefix("1 dials refused") }, "\(advice)")
    }

    @Test func anotherNodeOnOurIP_differentPort_isNamedWithTheFix() throws {
        let advice = try Self.advice(
            connected: 0, known: 1, listenPort: 7072,
            tallies: [("self_dial_blocked", 1, ["127.0.***:***#a1b2c3:7071"])])
        let line = try #require(advice.first { $0.contains("self_dial_blocked") }, "\(advice)")
        #expect(line.contains("share our IP on another port") && line.contains("its own IP"), "\(line)")
        #expect(!advice.contains { $0.contains("harmless") }, "\(advice)")
    }

    @Test func ourOwnAddressInTheBook_samePort_isHarmless() throws {
        let advice = try Self.advice(
            connected: 2, known: 3, listenPort: 7071,
            tallies: [("self_dial_blocked", 1, ["127.0.***:***#a1b2c3:7071"])])
        #expect(advice.contains { $0.contains("our own addresses are in the peer book: skipped, harmless") })
        #expect(!advice.contains { $0.contains("another port") }, "\(advice)")
    }

    @Test func remotePeerFull_withFreeSlots_doesNotSayRaiseMaxPeers() throws {
        let advice = try Self.advice(
            connected: 3, known: 5, maxPeers: 16, tallies: [("max_peers_reached", 1, ["127.0.***:***:7071"])],
            failures: [("127.0.0.9:7071", "max_peers_reached")])
        let line = try #require(advice.first { $0.contains("max_peers_reached") }, "\(advice)")
        #expect(line.contains("full") && line.contains("13 free slots"), "\(line)")
        #expect(!advice.contains { $0.contains("raise --max-peers") }, "\(advice)")
    }

    @Test func atOurOwnLimit_maxPeersSkips_sayRaiseMaxPeers() throws {
        let advice = try Self.advice(
            connected: 4, known: 9, maxPeers: 4, tallies: [("max_peers_reached", 5, [])])
        #expect(advice.first == "healthy: 4 peers connected, at the --max-peers limit of 4", "\(advice)")
        #expect(advice.contains { $0.contains("raise --max-peers") }, "\(advice)")
    }

    @Test func maxPeersOne_withOnePeer_isComplete_notBelowTargetOfEight() throws {
        let advice = try Self.advice(connected: 1, known: 3, maxPeers: 1)
        #expect(advice.first == "healthy: 1 peers connected, at the --max-peers limit of 1", "\(advice)")
        #expect(!advice.contains { $0.contains("target of 8") }, "\(advice)")
    }

    @Test func handshakeTimeouts_areCountedAndExplained() throws {
        let advice = try Self.advice(
            connected: 1, known: 4,
            failures: [("127.0.0.7:80", "handshake_timeout"), ("127.0.0.8:80", "handshake_timeout")])
        let line = try #require(advice.first { $0.contains("handshake_timeout") }, "\(advice)")
        #expect(line.hasPrefix("2 handshakes timed out") && line.contains("not a meshnode"), "\(line)")
    }

    @Test func noPeersKnown_saysHowToGiveSome() throws {
        let advice = try Self.advice(connected: 0, known: 0)
        #expect(
            advice == [
                "0 peers connected and none known: give --seed HOST:PORT or --peer HOST:PORT, "
                    + "or seed_peers in the config"
            ])
    }

    @Test func extremeCounts_fromTheEndpoint_giveAdviceWithoutTrapping() throws {
        let max = Int.max
        let debug = try Self.json(#"{"connected_peers":[{}],"dial_failures":[]}"#)
        let reasons = try Self.json(
            #"{"cycle":{"target":\#(max),"listen_port":99999999999},"#
                + #""reasons":[{"reason":"self_dial_blocked","count":\#(max),"samples":["x:notaport",""]},"#
                + #"{"reason":"max_peers_reached","count":\#(max)}]}"#)
        // Known minus banned minus our own addresses, each near Int.max.
        let stats = try Self.json(#"{"known_peers":1,"banned":\#(max)}"#)
        let advice = DiagnoseCommand.advice(debug: debug, reasons: reasons, stats: stats)
        #expect(advice.first?.hasPrefix("healthy: 1 peers connected, every peer we know of") == true, "\(advice)")
        let negativeLimit = try Self.json(#"{"cycle":{"target":8,"max_peers":-5}}"#)
        let limited = DiagnoseCommand.advice(debug: debug, reasons: negativeLimit, stats: stats)
        #expect(limited.first == "healthy: 1 peers connected, at the --max-peers limit of 0", "\(limited)")
    }
}
