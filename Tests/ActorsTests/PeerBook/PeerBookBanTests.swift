import Testing

@testable import Actors
@testable import Wire

/// Bans live in the peer book, whoever sets them (one list).
@Suite struct PeerBookBanTests {
    let stranger = PeerIP(IPAddress(parsing: "203.0.113.7")!)

    @Test func banningAnUnknownIP_holdsIt_withoutMakingItDialable() {
        var book = PeerBook()
        book.ban(stranger, until: 200, reason: .operatorBan, now: 100)
        #expect(book.bans(now: 150).map(\.ip) == [stranger])
        #expect(book[stranger]?.address.port == 0)  // port 0: never a dial target
        #expect(book.bans(now: 200).isEmpty)  // over at its end
        let lifted = book.unban(stranger, now: 150)
        #expect(lifted)
        #expect(book[stranger] == nil)  // the placeholder goes with the ban
        let again = book.unban(stranger, now: 150)
        #expect(!again)
    }

    // Inbound violators from ever new IPs (an IPv6 /64 is 2^64 of them) each leave a port-less
    // record: bounded, bans kept, the oldest plain records swept at most once a minute.
    @Test func violatorsFromEndlessIPs_leaveABoundedNumberOfRecords_andBansStay() {
        var book = PeerBook()
        let limit = PeerBook.maximumPortlessRecords
        func violator(_ n: Int) -> SocketAddress {
            SocketAddress(ip: .v6(0x2001_0DB8_0000_0000, UInt64(n)), port: 0)
        }
        let banned = PeerIP(violator(0).ip)
        book.add(violator(0), source: .handshake, now: 0)
        book.ban(banned, until: 1_000_000, reason: .protocolViolation, now: 0)
        for n in 1..<(limit * 2) { book.add(violator(n), source: .handshake, now: 1) }
        #expect(book.count == limit)
        // A minute later one sweep makes room (down to 90 %), and the ban is still there.
        let admitted = book.add(violator(limit * 2), source: .handshake, now: 62)
        #expect(admitted)
        #expect(book.count <= limit)
        #expect(book.count >= limit * 9 / 10)
        #expect(book.bans(now: 62).map(\.ip) == [banned])
        // Refused until the next sweep is due: the work per connection stays O(1).
        for n in 0..<(limit) { book.add(violator(limit * 3 + n), source: .handshake, now: 63) }
        #expect(book.count == limit)
    }

    // An attacker who floods gossip addresses must not push a ban out of a full book: bans
    // live in the outcome records, which no address ever displaces.
    @Test func aFloodedBook_neverEvictsABan() {
        var book = PeerBook(configuration: AddressManager.Configuration(newBuckets: 2, triedBuckets: 1, bucketSize: 2))
        let known = SocketAddress(ip: .v4(0x0B00_0001), port: 7071)
        book.add(known, source: .gossip, now: 0)
        // Banned long enough to outlast the flood, which comes when the known entry is stale
        // (terrible: unseen for 30 days), so the flood may take its position.
        let until = 100_000_000.0
        book.ban(PeerIP(known.ip), until: until, reason: .operatorBan, now: 0)
        book.ban(stranger, until: until, reason: .operatorBan, now: 0)
        for host in 1...2_000 {
            let flood = SocketAddress(ip: .v4(0x0A00_0000 | UInt32(host) << 8), port: 7071)
            book.add(flood, source: .gossip, from: PeerIP(.v4(0x0C00_0000 | UInt32(host) << 16)), now: 10_000_000)
        }
        #expect(book.addresses.count <= 4, "the tiny table holds at most 4")
        #expect(book[stranger]?.bannedUntil == until)
        #expect(book[PeerIP(known.ip)]?.bannedUntil == until)
        book.prune(now: 10_000_000, keeping: [])
        #expect(book.bans(now: 10_000_000).map(\.ip).sorted() == [PeerIP(known.ip), stranger].sorted())
    }

    @Test func unbanningAKnownPeer_keepsIt_andClearsItsPenalty() {
        var book = PeerBook()
        let address = SocketAddress(ip: IPAddress(parsing: "198.51.100.1")!, port: 7071)
        book.add(address, source: .direct, now: 0)
        for _ in 0..<PeerBook.violationsBeforeBan {
            book.recordFailure(PeerIP(address.ip), reason: .protocolViolation, now: 0)
        }
        #expect(book.bans(now: 1).count == 1)
        let lifted = book.unban(PeerIP(address.ip), now: 1)
        #expect(lifted)
        #expect(book[PeerIP(address.ip)]?.bannedUntil == nil)
        #expect(book[PeerIP(address.ip)]?.cooldownUntil == nil)
        #expect(book[PeerIP(address.ip)]?.source == .direct)
    }
}
