import Testing

@testable import Actors
@testable import Wire

/// When eviction may make room (INTERFACE.md, "A hostile network"): only when inbound is full
/// and a new IP is otherwise admissible, never to make room for a flood of handshakes or for an
/// IP the node already holds; and after the chosen session closes, the newcomer fits.
@Suite struct EvictionAdmissionTests {
    let suite = PeerTableAdmissionTests()

    @Test func fullInbound_aNewIPMayEvict_andThenFits() throws {
        var table = suite.table(minimumOutbound: 2, maximumPeers: 6)  // 4 inbound slots
        let holders = (1...4).map { PeerTableAdmissionTests.ip("\(20 + $0).1.1.1") }
        for (index, ip) in holders.enumerated() {
            #expect(PeerTableAdmissionTests.handshaked(&table, ip, id: UInt64(index + 1), now: Double(index)) == nil)
        }
        let newcomer = PeerTableAdmissionTests.ip("30.1.1.1")
        #expect(table.admitInbound(newcomer, localIP: PeerTableAdmissionTests.me, now: 100) == .maxPeersReached)
        #expect(table.inboundIsFullForNewcomer(newcomer))
        // Not for an IP already held, nor while inbound has room.
        #expect(!table.inboundIsFullForNewcomer(holders[0]))
        let candidates = table.sessions.map { ip, session in
            EvictionCandidate(id: session.id, ip: ip, direction: session.direction, connectedAt: session.since)
        }
        let protectNobody = EvictionPolicy.Protection(
            byNetworkGroup: 0, byLowestPing: 0, byRecentActivity: 0, longestUptimeShare: 0)
        let victim = try #require(
            EvictionPolicy.selectToEvict(candidates, netgroupKey: .random(), protection: protectNobody))
        _ = table.close(victim.ip, reason: .evicted)
        #expect(!table.inboundIsFullForNewcomer(newcomer))
        #expect(table.admitAfterEviction(newcomer) == nil)
        #expect(table.pending.contains(newcomer))
    }

    @Test func aFloodOfPendingHandshakes_isRefused_notMadeRoomFor() {
        var table = suite.table(minimumOutbound: 2, maximumPeers: 6)  // pending limit 2
        for index in 1...2 {
            #expect(
                table.admitInbound(
                    PeerTableAdmissionTests.ip("\(40 + index).1.1.1"), localIP: PeerTableAdmissionTests.me, now: 0)
                    == nil)
        }
        #expect(!table.inboundIsFullForNewcomer(PeerTableAdmissionTests.ip("50.1.1.1")))
    }
}
