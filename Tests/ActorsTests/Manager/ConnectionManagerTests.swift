import Testing

@testable import Actors
@testable import Diagnostics
@testable import Wire

@Suite struct ConnectionManagerTests {
    /// A manager whose book knows `count` peers that were once connected (so they are shared).
    func manager(peerListLimit: Int, knownPeers count: Int) -> ConnectionManager {
        var configuration = NodeConfiguration()
        configuration.lan = true
        configuration.peerListLimit = peerListLimit
        var book = PeerBook()
        for host in 1...count {
            let address = SocketAddress(ip: .v4(0x0A00_0100 | UInt32(host)), port: 7071)
            book.add(address, source: .gossip, now: 0)
            book.recordSuccess(PeerIP(address.ip), now: 1)
        }
        return ConnectionManager(configuration: configuration, reactor: .shared, logger: .silent, book: book)
    }

    @Test func peerListAnswer_holdsAtMostTheConfiguredLimit() async {
        let asker = PeerIP(.v4(0x0A00_0001))
        #expect(await manager(peerListLimit: 3, knownPeers: 10).addressesToShare(excluding: asker).count == 3)
        #expect(await manager(peerListLimit: 250, knownPeers: 10).addressesToShare(excluding: asker).count == 10)
        #expect(await manager(peerListLimit: 0, knownPeers: 10).addressesToShare(excluding: asker).isEmpty)
    }

    @Test func peerListLimit_beyondTheWireFormat_isCappedToWhatAPeerListCarries() async {
        let manager = manager(peerListLimit: 1_000_000, knownPeers: 1)
        #expect(await manager.peerListLimit == Message.maximumPeerListCount)
        #expect(await self.manager(peerListLimit: -5, knownPeers: 1).peerListLimit == 0)
    }
}
