import Testing

@testable import Actors
@testable import Wire

/// The planner's picks against an attacker's address sets (issue #13, Heilman et al.'s
/// eclipse attack): the book is flooded by one source over many /16s, the attacker also
/// handshakes inbound from several /16s, and still at most half of the outbound picks are
/// its own while the tried table holds peers we reached ourselves. Manual time, seeded draws.
@Suite struct OutboundDrawsTests {
    static let honest = (0..<12).map { SocketAddress(ip: .v4(UInt32(60 + $0) << 24 | 1), port: 7071) }

    static func table() -> PeerTable {
        PeerTable(limits: .init(minimumOutbound: 8, maximumPeers: 16), policy: DialPolicy(lan: false, ipv4Only: false))
    }

    /// 12 honest peers we dialed and reached once (then they went away), then at `now` 100 an
    /// attacker floods 3,000 addresses over 150 /16s from one IP and completes 7 inbound
    /// handshakes from 7 other /16s.
    static func poisonedTable() -> PeerTable {
        var table = table()
        for (index, address) in honest.enumerated() {
            table.book.add(address, source: .gossip, from: PeerIP(.v4(UInt32(70 + index) << 24 | 1)), now: 0)
            #expect(table.decideDial(address, source: .gossip, localIP: nil, now: 0) == nil)
            _ = table.established(
                PeerIP(address.ip), id: UInt64(index + 1), direction: .outbound, localIP: .v4(0x3200_0005),
                listenAddress: address, now: 1, dialed: address)
            _ = table.sessionEnded(PeerIP(address.ip), id: UInt64(index + 1), reason: .remoteClosed, now: 10)
        }
        let attacker = PeerIP(.v4(0x6301_0001))
        for index in 0..<3_000 {
            let sybil = SocketAddress(
                ip: .v4(UInt32(11) << 24 | UInt32(index % 150) << 16 | UInt32(index / 150) << 8 | 1), port: 7071)
            table.book.add(sybil, source: .gossip, from: attacker, now: 100)
        }
        for index in 0..<7 {
            let sybil = PeerIP(.v4(UInt32(12) << 24 | UInt32(index) << 16 | 1))
            #expect(table.admitInbound(sybil, localIP: .v4(0x3200_0005), now: 100) == nil)
            _ = table.established(
                sybil, id: UInt64(100 + index), direction: .inbound, localIP: .v4(0x3200_0005),
                listenAddress: SocketAddress(ip: sybil.address, port: 7071), now: 100)
        }
        return table
    }

    /// Eight outbound picks, as a cycle makes them: draws, each decided by the table.
    static func picks(_ table: inout PeerTable, now: Double, seed: UInt64) -> [SocketAddress] {
        var generator = SeededGenerator(seed: seed)
        var draws = table.outboundDraws(slots: 8, using: &generator)
        var picks: [SocketAddress] = []
        while picks.count < 8, let entry = draws.next(from: &table.book, now: now, using: &generator) {
            guard table.decideDial(entry.address, source: entry.origin, localIP: nil, now: now) == nil else {
                draws.skipped(entry, in: &table.book)
                continue
            }
            draws.dialing(entry.ip, in: table.book)
            picks.append(entry.address)
        }
        return picks
    }

    @Test func picksFromABookFloodedByOneSource_overHundredsOfSlash16s_stayAtMostHalfSybil() {
        let poisoned = Self.poisonedTable()
        #expect(poisoned.book.addresses.triedCount == Self.honest.count, "only our own dials make tried")
        #expect(poisoned.book.addresses.count <= Self.honest.count + 16 * 32 + 7, "one source fills 16 buckets")
        let honestIPs = Set(Self.honest.map { PeerIP($0.ip) })
        var sybilTotal = 0
        for seed in 0..<50 as Range<UInt64> {
            var table = poisoned
            // A day later: the honest peers' cooldowns are over, as after a restart.
            let picks = Self.picks(&table, now: 86_400, seed: seed)
            let sybils = picks.filter { !honestIPs.contains(PeerIP($0.ip)) }.count
            #expect(picks.count == 8, "seed \(seed)")
            #expect(sybils <= 4, "seed \(seed): \(sybils) of 8 outbound picks were the attacker's")
            #expect(Set(picks.map { NetworkGroup($0.ip) }).count == picks.count, "two picks in one /16")
            sybilTotal += sybils
        }
        #expect(sybilTotal <= 50 * 4)
    }

    @Test func anInboundHandshake_neverMakesAnAddressTried_ourDialDoes() {
        var table = Self.table()
        let inbound = PeerIP(.v4(0x0D00_0001))
        #expect(table.admitInbound(inbound, localIP: .v4(0x3200_0005), now: 0) == nil)
        _ = table.established(
            inbound, id: 1, direction: .inbound, localIP: .v4(0x3200_0005),
            listenAddress: SocketAddress(ip: inbound.address, port: 7100), now: 0)
        #expect(table.book.addresses[inbound]?.table == .new)
        #expect(table.book.addresses[inbound]?.portPinned == true)
        #expect(table.book[inbound]?.lastSuccess == nil)
        // The same peer, reached by our own dial at the port it gave: now tried.
        _ = table.sessionEnded(inbound, id: 1, reason: .remoteClosed, now: 1)
        let dialed = SocketAddress(ip: inbound.address, port: 7100)
        #expect(table.decideDial(dialed, source: .handshake, localIP: nil, now: 100) == nil)
        _ = table.established(
            inbound, id: 2, direction: .outbound, localIP: .v4(0x3200_0005), listenAddress: dialed, now: 101,
            dialed: dialed)
        #expect(table.book.addresses[inbound]?.table == .tried)
        #expect(table.book[inbound]?.lastSuccess == 101)
    }

    @Test func theReserve_continuesTheCyclesDraws_andNeverRepeatsAPick() {
        var table = Self.poisonedTable()
        var generator = SeededGenerator(seed: 7)
        var draws = table.outboundDraws(slots: 8, using: &generator)
        var seen: Set<PeerIP> = []
        var count = 0
        while let entry = draws.next(from: &table.book, now: 86_400, using: &generator) {
            #expect(seen.insert(entry.ip).inserted, "\(entry.address) drawn twice in one cycle")
            count += 1
        }
        #expect(count > 8)
        #expect(draws.drawsLeft == 0 || count == table.book.addresses.count)
    }

    @Test func seeds_comeAfterTheBook_andDirectPeersAreNotDrawn() {
        var table = Self.table()
        table.book.add(SocketAddress(ip: .v4(0x2B00_0001), port: 7071), source: .seed, now: 0)
        table.book.add(SocketAddress(ip: .v4(0x2800_0002), port: 7071), source: .direct, now: 0)
        var generator = SeededGenerator(seed: 1)
        var draws = table.outboundDraws(slots: 8, using: &generator)
        #expect(draws.next(from: &table.book, now: 0, using: &generator) == nil)
        #expect(draws.nextSeed() == SocketAddress(ip: .v4(0x2B00_0001), port: 7071))
        #expect(draws.nextSeed() == nil)
        #expect(table.operatorPeers(.direct) == [SocketAddress(ip: .v4(0x2800_0002), port: 7071)])
    }
}

/// The draws' generator: reseeded from the system generator, so two nodes (or two cycles)
/// never draw the same sequence.
@Suite struct FastRandomTests {
    @Test func reseeding_startsANewSequence_andOutputsAreNotConstant() {
        var generator = FastRandom()
        let first = (0..<4).map { _ in generator.next() }
        #expect(Set(first).count == 4)
        generator.reseed()
        let second = (0..<4).map { _ in generator.next() }
        #expect(first != second)
        var other = FastRandom()
        #expect((0..<4).map { _ in other.next() } != second)
    }
}
