import Testing

@testable import Diagnostics

/// Who ended each session and why, on both sides: our reason, the side, and the reason the
/// peer gave in its Disconnect.
@Suite struct DisconnectLedgerTests {
    @Test func side_isRemoteOnlyWhenThePeerOrThePathEndedIt() {
        for reason in ["remote_closed", "connection_reset", "connection_aborted", "not_connected"] {
            #expect(DisconnectSide.of(reason: reason) == .remote, "\(reason)")
        }
        for reason in [
            "ping_timeout", "protocol_violation", "slow_peer", "duplicate_connection", "shutdown", "operator_ban",
            "operator_disconnect", "evicted", "peer_banned",
        ] {
            #expect(DisconnectSide.of(reason: reason) == .local, "\(reason)")
        }
    }

    @Test func totals_andPerPeer_countByReasonAndSide_withTheRemotesReason() throws {
        var ledger = DisconnectLedger()
        ledger.record(reason: "remote_closed", side: .remote, remoteReason: "shutdown", ip: "10.0.0.1", now: 1)
        ledger.record(reason: "remote_closed", side: .remote, remoteReason: nil, ip: "10.0.0.2", now: 2)
        ledger.record(reason: "ping_timeout", side: .local, remoteReason: nil, ip: "10.0.0.1", now: 3)
        #expect(ledger.totals[.init(reason: "remote_closed", side: .remote)] == 2)
        #expect(ledger.totals[.init(reason: "ping_timeout", side: .local)] == 1)
        #expect(ledger.remoteReasons == ["shutdown": 1])
        #expect(ledger.totalsByReason["ping_timeout"] == ["local": 1, "remote": 0])
        let peer = try #require(ledger.ledger(for: "10.0.0.1"))
        #expect(peer.counts.values.reduce(0, +) == 2)
        #expect(peer.remoteReasons == ["shutdown": 1])
        #expect(peer.lastReason == "ping_timeout" && peer.lastSide == .local && peer.lastRemoteReason == nil)
        #expect(peer.lastUnix == 3)
    }

    @Test func perPeerEntries_areBounded_totalsAreNot() {
        var ledger = DisconnectLedger(peerLimit: 100)
        for index in 0..<5_000 {
            ledger.record(
                reason: "remote_closed", side: .remote, remoteReason: nil, ip: "10.0.\(index / 256).\(index % 256)",
                now: Double(index))
        }
        #expect(ledger.totals[.init(reason: "remote_closed", side: .remote)] == 5_000)
        #expect(ledger.ledger(for: "10.0.19.135") != nil)  // the last one
        #expect(ledger.ledger(for: "10.0.0.0") == nil)
    }

    @Test func keys_areCapped_evenIfACallerPassedUnboundedReasons() {
        var ledger = DisconnectLedger(keyLimit: 8)
        for index in 0..<100 {
            ledger.record(reason: "r\(index)", side: .local, remoteReason: "x\(index)", ip: "10.0.0.1", now: 0)
        }
        #expect(ledger.totals.count == 8 && ledger.remoteReasons.count == 8)
    }
}
