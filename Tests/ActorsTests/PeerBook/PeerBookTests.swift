import Testing

@testable import Actors
@testable import Wire

@Suite struct PeerBookTests {
    let address = SocketAddress(ip: IPAddress(parsing: "8.8.8.8")!, port: 7071)

    @Test func cooldown_doublesFrom30sTo1h_andResetsOnSuccess() {
        #expect((1...9).map { PeerBook.cooldown(afterFailures: $0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        var book = PeerBook()
        book.add(address, source: .seed, now: 0)
        let ip = PeerIP(address.ip)
        book.recordFailure(ip, reason: .timeout, now: 10)
        book.recordFailure(ip, reason: .timeout, now: 50)
        #expect(book[ip]?.cooldownUntil == 110)
        #expect(book[ip]?.health == 70)
        book.recordSuccess(ip, now: 200)
        #expect(book[ip]?.cooldownUntil == nil)
        #expect(book[ip]?.failures == 0)
        #expect(book[ip]?.health == 100)
    }

    @Test func tiers_hotWarmCold() {
        var book = PeerBook()
        book.add(address, source: .seed, now: 0)
        let ip = PeerIP(address.ip)
        #expect(book[ip]?.tier(now: 0, connected: false) == .cold)
        book.recordSuccess(ip, now: 100)
        #expect(book[ip]?.tier(now: 200, connected: false) == .hot)
        #expect(book[ip]?.tier(now: 100 + PeerBook.hotWindow + 1, connected: false) == .warm)
        #expect(book[ip]?.tier(now: 100_000, connected: true) == .hot)
    }

    // One source, however many /16s it names, fills only its buckets of the new table
    // (16 × 32 positions), and what it cannot place is no dial candidate at all.
    @Test func gossipFromOneSource_fillsABoundedShare_andWhatIsRefusedIsNotKept() {
        // A fixed key: with a random one, another source's address lands in one of the flooder's
        // 16 (full) buckets about one time in sixteen, and is refused there, rightly.
        var book = PeerBook(key: SipHashKey(k0: 0x0123_4567_89AB_CDEF, k1: 0x0FED_CBA9_8765_4321))
        let sender = PeerIP(.v4(0x0505_0505))
        var accepted = 0
        var refused: [PeerIP] = []
        for host in 0..<3_000 {
            let gossip = SocketAddress(ip: .v4(0x0B00_0000 | UInt32(host % 150) << 16 | UInt32(host)), port: 7071)
            if book.add(gossip, source: .gossip, from: sender, now: 0) {
                accepted += 1
            } else {
                refused.append(PeerIP(gossip.ip))
            }
        }
        #expect(accepted <= 16 * 32)
        #expect(!refused.isEmpty)
        #expect(refused.allSatisfy { book[$0] == nil })
        #expect(book.count == accepted)
        // Other sources still have room of their own: of 16 sources from 16 /16s, nearly all
        // place their address (with this key 14: two land in the flooder's full buckets).
        var othersPlaced = 0
        for index in 0..<16 {
            let source = PeerIP(.v4(0x0700_0707 | UInt32(index) << 16))
            let address = SocketAddress(ip: .v4(0x0600_0001 | UInt32(index) << 16), port: 1)
            if book.add(address, source: .gossip, from: source, now: 0) { othersPlaced += 1 }
        }
        #expect(othersPlaced >= 14)
    }

    @Test func aFlood_neverRemovesOperatorPeers() {
        var book = PeerBook(configuration: AddressManager.Configuration(newBuckets: 1, triedBuckets: 1, bucketSize: 4))
        book.add(address, source: .direct, now: 0)
        book.add(SocketAddress(ip: .v4(0x0202_0202), port: 1), source: .seed, now: 0)
        for host in 1...100 {
            book.add(SocketAddress(ip: .v4(0x0300_0000 | UInt32(host)), port: 1), source: .gossip, now: 1_000_000)
        }
        book.prune(now: 1_000_000, keeping: [])
        #expect(book[PeerIP(address.ip)]?.source == .direct)
        #expect(book[PeerIP(.v4(0x0202_0202))]?.source == .seed)
    }

    @Test func strongerSource_replacesWeaker() {
        var book = PeerBook()
        book.add(address, source: .gossip, now: 0)
        book.add(address, source: .direct, now: 1)
        #expect(book[PeerIP(address.ip)]?.source == .direct)
        book.add(address, source: .gossip, now: 2)
        #expect(book[PeerIP(address.ip)]?.source == .direct)
    }

    @Test func gossip_neverMovesAPortThePeerGaveInItsHandshake() {
        var book = PeerBook()
        book.add(address, source: .handshake, now: 0)
        let liar = PeerIP(.v4(0x0909_0909))
        book.add(SocketAddress(ip: address.ip, port: 1), source: .gossip, from: liar, now: 1)
        #expect(book[PeerIP(address.ip)]?.address.port == 7071)
    }

    // The report's counts are read from the two homes directly (no record composed): they
    // must equal what the composed records say, for every kind of entry.
    @Test func tierAndOutcomeCounts_equalTheComposedRecords() {
        var book = PeerBook()
        let now = 1_000_000.0
        for host in 1...60 {
            let address = SocketAddress(ip: .v4(0x0B00_0000 | UInt32(host) << 16 | 1), port: 7071)
            book.add(address, source: .gossip, from: PeerIP(.v4(0x0C00_0000 | UInt32(host) << 16)), now: now - 5_000)
            switch host % 5 {
            case 0: book.recordSuccess(address, direction: .outbound, now: now - 60)  // hot
            case 1: book.recordSuccess(address, direction: .outbound, now: now - 4_000)  // warm
            case 2: book.recordFailure(PeerIP(address.ip), reason: .timeout, now: now - 10)  // cooling down
            case 3: for _ in 0..<8 { book.recordFailure(PeerIP(address.ip), reason: .timeout, now: now - 10_000) }
            default: break  // cold
            }
        }
        // A violator known by IP only, and an operator's ban of a stranger.
        book.add(SocketAddress(ip: .v4(0x0D00_0001), port: 0), source: .handshake, now: now)
        book.ban(PeerIP(.v4(0x0D00_0002)), until: now + 100, reason: .operatorBan, now: now)
        // Connected: a hot, a warm and a cold entry, a known-by-IP-only violator, and an IP
        // the book does not know (counted nowhere).
        let connected: Set<PeerIP> = [
            PeerIP(.v4(0x0B05_0001)), PeerIP(.v4(0x0B01_0001)), PeerIP(.v4(0x0B04_0001)), PeerIP(.v4(0x0D00_0001)),
            PeerIP(.v4(0x0E00_0001)),
        ]

        var tiers: [PeerTier: Int] = [.hot: 0, .warm: 0, .cold: 0]
        var banned = 0
        var cooldown = 0
        var unhealthy = 0
        for (ip, record) in book.records {
            tiers[record.tier(now: now, connected: connected.contains(ip)), default: 0] += 1
            if let until = record.bannedUntil, until > now {
                banned += 1
            } else if let until = record.cooldownUntil, until > now {
                cooldown += 1
            }
            if record.health < PeerBook.unhealthyBelow { unhealthy += 1 }
        }
        #expect(book.tierCounts(now: now, connected: connected) == tiers)
        let counts = book.outcomeCounts(now: now)
        #expect(counts.banned == banned && counts.cooldown == cooldown && counts.unhealthy == unhealthy)
        // And the fixture holds every kind, so the comparison means something.
        #expect(tiers.values.allSatisfy { $0 > 0 } && banned == 1 && cooldown > 0 && unhealthy > 0)
    }
}
