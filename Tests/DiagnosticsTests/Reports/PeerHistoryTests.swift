import Testing

@testable import Diagnostics

/// `why`'s memory: every decision about a peer, newest last, bounded per peer and in peers
/// (an attacker with many IPs must not grow it). Time is a manual clock (`now`).
@Suite struct PeerHistoryTests {
    @Test func decisions_areKeptNewestLast_withSessionDurationAndWhoEndedIt() throws {
        var history = PeerHistory()
        let ip = "203.0.113.7"
        history.record(.skipped(reason: "awaiting_inbound"), ip: ip, now: 100)
        history.record(.dialed(source: "gossip"), ip: ip, now: 130)
        history.record(.connected(direction: "outbound"), ip: ip, now: 130.5)
        history.record(
            .disconnected(reason: "remote_closed", side: .remote, remoteReason: "shutdown"), ip: ip, now: 190.5)
        history.record(
            .dialFailed(reason: "connection_refused", handshake: false, cooldownUntil: 221), ip: ip, now: 191)
        let entries = try #require(history.entries(for: ip))
        #expect(entries.map(\.firstUnix) == [100, 130, 130.5, 190.5, 191])
        #expect(entries[3].sessionSeconds == 60)
        #expect(entries[3].event == .disconnected(reason: "remote_closed", side: .remote, remoteReason: "shutdown"))
        #expect(entries[4].event == .dialFailed(reason: "connection_refused", handshake: false, cooldownUntil: 221))
        #expect(history.entries(for: "203.0.113.8") == nil)
    }

    // A cooling peer is skipped every tick: one entry, counted, not 32 copies pushing out the
    // failure that caused the cooldown.
    @Test func repeatedSkips_mergeIntoOneEntryWithCountAndLastTime() throws {
        var history = PeerHistory(perPeerLimit: 4)
        history.record(.dialFailed(reason: "timeout", handshake: false, cooldownUntil: 40), ip: "10.0.0.1", now: 10)
        for tick in 0..<500 {
            history.record(.skipped(reason: "cooldown_active"), ip: "10.0.0.1", now: 11 + Double(tick))
        }
        let entries = try #require(history.entries(for: "10.0.0.1"))
        #expect(entries.count == 2)
        #expect(entries[0].event == .dialFailed(reason: "timeout", handshake: false, cooldownUntil: 40))
        #expect(entries[1].repeats == 500 && entries[1].firstUnix == 11 && entries[1].lastUnix == 510)
    }

    @Test func perPeer_keepsTheNewestEntriesUpToTheLimit() throws {
        var history = PeerHistory(perPeerLimit: 32)
        for index in 0..<100 {
            // Alternating events: nothing merges.
            let event: PeerDecision = index.isMultiple(of: 2) ? .dialed(source: "seed") : .skipped(reason: "timeout")
            history.record(event, ip: "10.0.0.1", now: Double(index))
        }
        let entries = try #require(history.entries(for: "10.0.0.1"))
        #expect(entries.count == 32)
        #expect(entries.first?.firstUnix == 68 && entries.last?.firstUnix == 99)
    }

    // 10,000 attacker IPs: the history holds at most `peerLimit` peers, and a peer recorded
    // recently (an honest peer with an ongoing story) is not the one forgotten.
    @Test func manyIPs_areBoundedByLeastRecentlyRecorded() {
        var history = PeerHistory(perPeerLimit: 32, peerLimit: 1024)
        history.record(.connected(direction: "outbound"), ip: "198.51.100.1", now: 0)
        for index in 0..<10_000 {
            let ip = "10.\(index / 65_536).\(index / 256 % 256).\(index % 256)"
            history.record(.inboundHandshakeFailed(reason: "handshake_timeout"), ip: ip, now: Double(index))
            if index.isMultiple(of: 500) {
                history.record(.skipped(reason: "already_connected"), ip: "198.51.100.1", now: Double(index))
            }
        }
        #expect(history.peerCount == 1024)
        #expect(history.entries(for: "198.51.100.1") != nil)
        #expect(history.entries(for: "10.0.39.15") != nil)  // the newest
        #expect(history.entries(for: "10.0.0.0") == nil)  // among the oldest
    }
}
