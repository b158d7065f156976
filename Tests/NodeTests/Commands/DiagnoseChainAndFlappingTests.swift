import Testing

@testable import Diagnostics
@testable import Node

/// `diagnose` on two patterns of issue 16: every peer refusing our chain (the fault is ours),
/// and peers held off as flapping.
@Suite struct DiagnoseChainAndFlappingTests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    /// A node with no peers whose failure ring holds `failures` (address, reason), oldest first.
    static func advice(failures: [(String, String)], funnel: String? = nil, now: Double = 0) throws -> [String] {
        let ring = failures.map {
            #"{"addr":"\#($0.0)","reason":"\#($0.1)","timestamp_unix":1000,"source":"peer_book"}"#
        }
        let debug = try json(#"{"connected_peers":[],"dial_failures":[\#(ring.joined(separator: ","))]}"#)
        let reasons = try json(
            #"{"cycle":{"target":8,"max_peers":16,"min_outbound":8,"lan":true,"listen_port":7071},"reasons":[]}"#)
        let stats = try json(#"{"known_peers":3,"banned":0}"#)
        return DiagnoseCommand.advice(
            debug: debug, reasons: reasons, stats: stats, funnel: try funnel.map(json), now: now)
    }

    @Test func everyPeerRefusesOurChainID_saysCheckOursFirst() throws {
        let advice = try Self.advice(failures: [
            ("10.0.0.2:7071", "connection_refused"), ("10.0.0.2:7071", "chain_id_mismatch"),
            ("10.0.0.3:7071", "chain_id_mismatch"), ("10.0.0.4:7071", "chain_id_mismatch"),
        ])
        #expect(advice.count >= 2, "\(advice)")
        #expect(advice.first?.hasPrefix("0 peers connected") == true, "\(advice)")
        #expect(advice[1].hasPrefix("every peer disagrees with our chain id: check ours (--chain-id"), "\(advice)")
        #expect(advice[1].contains("from 3 different peers, 3 of the last 3 handshake failures"), "\(advice)")
        #expect(advice.filter { $0.contains("chain_id_mismatch") }.count == 1, "said once: \(advice)")
    }

    @Test func genesisAndVersionMismatches_nameBothSettings() throws {
        let advice = try Self.advice(failures: [
            ("10.0.0.2:7071", "genesis_mismatch"), ("[2001:db8::5]:7071", "version_mismatch"),
            ("10.0.0.4:7071", "handshake_timeout"),
        ])
        #expect(
            advice.contains { $0.hasPrefix("every peer disagrees with our genesis or protocol version: check ours") },
            "\(advice)")
    }

    @Test func oneOtherNetworkPeer_isThatPeersBusiness_notOurs() throws {
        let advice = try Self.advice(failures: [
            ("10.0.0.9:7071", "chain_id_mismatch"), ("10.0.0.9:7071", "chain_id_mismatch"),
            ("10.0.0.9:7071", "chain_id_mismatch"),
        ])
        #expect(!advice.contains { $0.hasPrefix("every peer disagrees") }, "\(advice)")
    }

    @Test func mismatchesAmongMostlyOtherFailures_doNotBlameOurChain() throws {
        let advice = try Self.advice(failures: [
            ("10.0.0.2:7071", "chain_id_mismatch"), ("10.0.0.3:7071", "chain_id_mismatch"),
            ("10.0.0.4:7071", "handshake_timeout"), ("10.0.0.5:7071", "handshake_timeout"),
            ("10.0.0.6:7071", "handshake_error"),
        ])
        #expect(!advice.contains { $0.hasPrefix("every peer disagrees") }, "\(advice)")
        #expect(advice.contains { $0.contains("2 handshakes failed with chain_id_mismatch") }, "\(advice)")
    }

    @Test func flappingPeers_areNamedWithTheirHold() throws {
        let advice = try Self.advice(
            failures: [],
            funnel:
                #"{"last":null,"ticks":[],"flapping":[{"ip":"10.0.0.7","until_unix":1060},{"ip":"10.0.0.8","until_unix":1030}]}"#,
            now: 1000)
        let line = advice.first { $0.contains("flapping") }
        #expect(
            line
                == "2 peers flapping (connected and dropped more than 5 times in 10 minutes), held off until "
                + "1970-01-01T00:17:40Z (in 1m0s): `meshnode why 10.0.0.7` shows each session and who ended it; "
                + "two nodes behind one IP that keep replacing each other look like this", "\(advice)")
    }

    @Test func noFlappingPeers_orAnOlderNodeWithoutTheFunnel_sayNothingOfFlapping() throws {
        let empty = try Self.advice(failures: [], funnel: #"{"last":null,"ticks":[],"flapping":[]}"#)
        let older = try Self.advice(failures: [], funnel: nil)
        #expect(!(empty + older).contains { $0.contains("flapping") }, "\(empty) \(older)")
    }
}
