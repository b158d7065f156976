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
        let now = ConnectionManager.now()
        for host in 1...count {
            let address = SocketAddress(ip: .v4(0x0A00_0100 | UInt32(host)), port: 7071)
            book.add(address, source: .gossip, now: now)
            book.recordSuccess(PeerIP(address.ip), now: now)
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

    /// Flap damping (INTERFACE.md `flapping`): an IP that dropped more often than the damper
    /// allows is neither dialed nor admitted until its hold ends; an operator's manual connect
    /// (which bypasses cooldowns) still goes.
    @Test func flappingPeer_isHeldOff_bothWays_butAManualConnectGoes() async {
        let manager = manager(peerListLimit: 10, knownPeers: 1)
        let address = SocketAddress(ip: .v4(0x0A00_0101), port: 7071)
        let ip = PeerIP(address.ip)
        #expect(await manager.isFlapping(ip) == false)
        let drops = FlapDamper.Policy().maximumDrops + 1
        await manager.recordDrops(ip, count: drops)
        #expect(await manager.isFlapping(ip))
        #expect(await manager.decideDial(address, source: .gossip) == .flapping)
        #expect(await manager.admitInbound(ip) == .flapping)
        #expect(await manager.decideDial(address, source: .direct, bypassCooldown: true) != .flapping)
    }
}

extension ConnectionManager {
    /// Session ends of `ip` as the damper sees them (`ping_timeout`: not an ignored reason).
    func recordDrops(_ ip: PeerIP, count: Int) {
        for _ in 0..<count { reports.damper.recordDrop(ip: ip.description, reason: "ping_timeout", now: Self.now()) }
    }
}
