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

    @Test func gossip_isCappedPerSlash16() {
        var book = PeerBook()
        var accepted = 0
        for host in 0..<100 {
            let gossip = SocketAddress(ip: .v4(0x0505_0000 | UInt32(host)), port: 7071)
            if book.add(gossip, source: .gossip, now: 0) { accepted += 1 }
        }
        #expect(accepted == PeerBook.gossipPerGroup)
        let otherGroup = book.add(SocketAddress(ip: .v4(0x0606_0001), port: 1), source: .gossip, now: 0)
        #expect(otherGroup)
    }

    @Test func full_evictsNeverConnectedGossip_notOperatorPeers() {
        var book = PeerBook(capacity: 3)
        book.add(address, source: .direct, now: 0)
        book.add(SocketAddress(ip: .v4(0x0101_0101), port: 1), source: .gossip, now: 1)
        book.add(SocketAddress(ip: .v4(0x0202_0202), port: 1), source: .seed, now: 2)
        let added = book.add(SocketAddress(ip: .v4(0x0303_0303), port: 1), source: .gossip, now: 3)
        #expect(added)
        #expect(book.count == 3)
        #expect(book[PeerIP(.v4(0x0101_0101))] == nil)
        #expect(book[PeerIP(address.ip)] != nil)
    }

    @Test func strongerSource_replacesWeaker() {
        var book = PeerBook()
        book.add(address, source: .gossip, now: 0)
        book.add(address, source: .direct, now: 1)
        #expect(book[PeerIP(address.ip)]?.source == .direct)
        book.add(address, source: .gossip, now: 2)
        #expect(book[PeerIP(address.ip)]?.source == .direct)
    }
}
