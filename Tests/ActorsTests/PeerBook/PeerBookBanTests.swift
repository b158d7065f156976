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
