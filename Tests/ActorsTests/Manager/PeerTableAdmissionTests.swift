import Testing

@testable import Actors
@testable import Wire

/// Slot accounting against attackers (INTERFACE.md, "A hostile network"): a node at a public
/// address with the default limits (8 outbound reserved of 16), fed attacker address sets.
@Suite struct PeerTableAdmissionTests {
    static let me = IPAddress(parsing: "50.0.0.5")!

    func table(lan: Bool = false, minimumOutbound: Int = 8, maximumPeers: Int = 16) -> PeerTable {
        PeerTable(
            limits: .init(minimumOutbound: minimumOutbound, maximumPeers: maximumPeers),
            policy: DialPolicy(lan: lan, ipv4Only: false, ownAddresses: [PeerIP(Self.me)]))
    }

    static func ip(_ text: String) -> PeerIP { PeerIP(IPAddress(parsing: text)!) }
    static func address(_ text: String) -> SocketAddress { SocketAddress(ip: IPAddress(parsing: text)!, port: 7071) }

    /// Admits and completes the handshake of `ip` at `now`; the refusal if it was refused.
    static func handshaked(_ table: inout PeerTable, _ ip: PeerIP, id: UInt64, now: Double) -> ReasonCode? {
        if let refusal = table.admitInbound(ip, localIP: me, now: now) { return refusal }
        _ = table.established(
            ip, id: id, direction: .inbound, localIP: me, listenAddress: SocketAddress(ip: ip.address, port: 7071),
            now: now)
        return nil
    }

    /// Dials `address` and completes it.
    static func dialed(_ table: inout PeerTable, _ address: SocketAddress, source: PeerSource, id: UInt64)
        -> ReasonCode?
    {
        if let skip = table.decideDial(address, source: source, localIP: me, now: 0) { return skip }
        _ = table.established(
            PeerIP(address.ip), id: id, direction: .outbound, localIP: me, listenAddress: address, now: 0)
        return nil
    }

    @Test func sixteenSilentSocketsFromOneIP_holdOnePendingSlot_andTheNodeStillConnects() {
        var table = table()
        let attacker = Self.ip("11.1.1.1")
        let outcomes = (0..<16).map { _ in table.admitInbound(attacker, localIP: Self.me, now: 0) }
        #expect(outcomes.filter { $0 == nil }.count == 1)
        #expect(outcomes.dropFirst().allSatisfy { $0 == .throttled })
        // Past the throttle, the one pending socket still holds the IP's only pending slot.
        #expect(table.admitInbound(attacker, localIP: Self.me, now: 31) == .ipLimit)
        #expect(table.pendingInbound == 1)
        // Its handshake deadline passes; reopening at once is throttled (geth's 30 s).
        _ = table.inboundFailed(attacker, reason: .handshakeTimeout, now: 35)
        #expect(table.admitInbound(attacker, localIP: Self.me, now: 36) == .throttled)
        #expect(table.admitInbound(attacker, localIP: Self.me, now: 62) == nil)
        // Meanwhile the node's own --peer and an honest newcomer get in.
        #expect(table.decideDial(Self.address("60.0.0.1"), source: .direct, localIP: Self.me, now: 62) == nil)
        #expect(table.admitInbound(Self.ip("12.0.0.1"), localIP: Self.me, now: 62) == nil)
    }

    @Test func silentSocketsFromOneLANIP_areRefusedAsIPLimit() {
        var table = table(lan: true)
        let attacker = Self.ip("127.0.0.9")
        let outcomes = (0..<16).map { _ in table.admitInbound(attacker, localIP: Self.me, now: 0) }
        #expect(outcomes.filter { $0 == nil }.count == 1)
        #expect(outcomes.dropFirst().allSatisfy { $0 == .ipLimit })
    }

    @Test func sixteenHandshakedSybilsFromOne24_takeHalfTheInbound_newcomerAndOutboundStillFit() {
        var table = table()
        var id: UInt64 = 0
        var refusals: [ReasonCode?] = []
        for host in 1...16 {
            id += 1
            refusals.append(Self.handshaked(&table, Self.ip("11.1.1.\(host)"), id: id, now: Double(host)))
        }
        #expect(refusals.filter { $0 == nil }.count == table.limits.inboundPerGroup)
        #expect(refusals.compactMap { $0 }.allSatisfy { $0 == .netgroupLimit })
        // An honest newcomer from elsewhere is admitted.
        id += 1
        #expect(Self.handshaked(&table, Self.ip("12.0.0.1"), id: id, now: 20) == nil)
        // Every outbound slot is still there: the target is reached.
        for group in 1...8 {
            id += 1
            #expect(Self.dialed(&table, Self.address("20.\(group).0.1"), source: .seed, id: id) == nil)
        }
        #expect(table.outboundCount == 8)
    }

    @Test func sybilsSpreadOverManyGroups_fillOnlyTheInboundSlots() {
        var table = table()
        var id: UInt64 = 0
        var admitted = 0
        for group in 1...16 {
            id += 1
            if Self.handshaked(&table, Self.ip("11.\(group).0.1"), id: id, now: 0) == nil { admitted += 1 }
        }
        #expect(admitted == table.limits.inboundSlots)
        #expect(table.admitInbound(Self.ip("12.0.0.1"), localIP: Self.me, now: 0) == .maxPeersReached)
        for group in 1...8 {
            id += 1
            #expect(Self.dialed(&table, Self.address("20.\(group).0.1"), source: .seed, id: id) == nil)
        }
        // Now full: a ninth automatic dial is refused, the operator's --peer is not.
        #expect(table.decideDial(Self.address("30.0.0.1"), source: .seed, localIP: Self.me, now: 0) == .maxPeersReached)
        #expect(table.decideDial(Self.address("30.0.0.2"), source: .direct, localIP: Self.me, now: 0) == nil)
    }

    @Test func pendingConnections_areCappedGlobally_andPerNetgroup() {
        var table = table()
        #expect(table.admitInbound(Self.ip("11.1.0.1"), localIP: Self.me, now: 0) == nil)
        #expect(table.admitInbound(Self.ip("11.1.0.2"), localIP: Self.me, now: 0) == nil)
        #expect(table.admitInbound(Self.ip("11.1.0.3"), localIP: Self.me, now: 0) == .netgroupLimit)
        #expect(table.admitInbound(Self.ip("11.2.0.1"), localIP: Self.me, now: 0) == nil)
        #expect(table.admitInbound(Self.ip("11.3.0.1"), localIP: Self.me, now: 0) == nil)
        // Half of the 8 inbound slots may be pending at once.
        #expect(table.limits.pendingLimit == 4)
        #expect(table.admitInbound(Self.ip("11.4.0.1"), localIP: Self.me, now: 0) == .maxPeersReached)
        _ = table.inboundFailed(Self.ip("11.2.0.1"), reason: .handshakeTimeout, now: 5)
        #expect(table.admitInbound(Self.ip("11.5.0.1"), localIP: Self.me, now: 5) == nil)
        // Every attempt counts toward the throttle, a refused one too (as geth's).
        #expect(table.admitInbound(Self.ip("11.4.0.1"), localIP: Self.me, now: 5) == .throttled)
    }

    @Test func simultaneousOpen_isAdmittedBeyondThePendingCap() {
        // A dial storm: every pending slot is taken, and a peer we are dialing dials us too.
        // Its connection is the same peer (one slot), and the direction rule needs its
        // handshake to pick the survivor.
        var table = table()
        for group in 1...table.limits.pendingLimit {
            #expect(table.admitInbound(Self.ip("11.\(group).0.1"), localIP: Self.me, now: 0) == nil)
        }
        #expect(table.decideDial(Self.address("60.0.0.1"), source: .seed, localIP: Self.me, now: 0) == nil)
        #expect(table.admitInbound(Self.ip("60.0.0.1"), localIP: Self.me, now: 0) == nil)
        #expect(table.admitInbound(Self.ip("11.9.0.1"), localIP: Self.me, now: 0) == .maxPeersReached)
    }

    @Test func ipv6Peers_areGroupedBySlash32() {
        var table = table()
        #expect(table.admitInbound(Self.ip("2001:db8:1::1"), localIP: Self.me, now: 0) == nil)
        #expect(table.admitInbound(Self.ip("2001:db8:2::1"), localIP: Self.me, now: 0) == nil)
        #expect(table.admitInbound(Self.ip("2001:db8:3::1"), localIP: Self.me, now: 0) == .netgroupLimit)
        #expect(table.admitInbound(Self.ip("2001:db9::1"), localIP: Self.me, now: 0) == nil)
    }

    @Test func lanAddresses_areExemptFromTheThrottleAndTheNetgroupLimits() {
        var table = table(lan: true, minimumOutbound: 0, maximumPeers: 64)
        for host in 1...10 {
            let ip = Self.ip("192.168.1.\(host)")
            #expect(Self.handshaked(&table, ip, id: UInt64(host), now: 0) == nil)
            _ = table.sessionEnded(ip, id: UInt64(host), reason: .remoteClosed, now: 1)
            #expect(table.admitInbound(ip, localIP: Self.me, now: 2) == nil, "reconnect of \(ip)")
        }
    }

    @Test func secondConnectionOfAnIP_isAdmittedOnlyIfTheDirectionRuleWouldKeepIt() {
        var table = table()
        // We are 50.0.0.5. A lower peer's inbound would lose to our outbound: refused at once.
        let lower = Self.address("40.0.0.1")
        #expect(Self.dialed(&table, lower, source: .seed, id: 1) == nil)
        #expect(table.admitInbound(PeerIP(lower.ip), localIP: Self.me, now: 0) == .duplicateConnection)
        // A higher peer dials us by the rule: its inbound replaces our outbound.
        let higher = Self.address("60.0.0.1")
        #expect(Self.dialed(&table, higher, source: .seed, id: 2) == nil)
        #expect(table.admitInbound(PeerIP(higher.ip), localIP: Self.me, now: 0) == nil)
        // But only one pending connection at a time.
        #expect(table.admitInbound(PeerIP(higher.ip), localIP: Self.me, now: 40) == .ipLimit)
    }

    @Test func manualSlots_areOutsideMaxPeers_andFallBackToNormalSlots() {
        var table = table(minimumOutbound: 0, maximumPeers: 2)
        #expect(Self.dialed(&table, Self.address("20.1.0.1"), source: .seed, id: 1) == nil)
        #expect(Self.dialed(&table, Self.address("20.2.0.1"), source: .seed, id: 2) == nil)
        for group in 1...PeerTable.Limits.defaultManualSlots {
            #expect(
                Self.dialed(&table, Self.address("30.\(group).0.1"), source: .direct, id: UInt64(10 + group)) == nil)
        }
        #expect(table.slotCounts() == PeerTable.SlotCounts(manual: 8, outbound: 2, inbound: 0))
        #expect(
            table.decideDial(Self.address("30.99.0.1"), source: .direct, localIP: Self.me, now: 0) == .maxPeersReached)
        // A manual peer leaves: its slot is free again.
        _ = table.sessionEnded(Self.ip("30.1.0.1"), id: 11, reason: .remoteClosed, now: 1)
        #expect(table.decideDial(Self.address("30.99.0.1"), source: .direct, localIP: Self.me, now: 1) == nil)
        // A normal slot freed is taken by a --peer when its own slots are full.
        _ = table.sessionEnded(Self.ip("20.1.0.1"), id: 1, reason: .remoteClosed, now: 1)
        #expect(table.decideDial(Self.address("30.98.0.1"), source: .direct, localIP: Self.me, now: 1) == nil)
        #expect(table.slotCounts() == PeerTable.SlotCounts(manual: 8, outbound: 2, inbound: 0))
    }

    @Test func outboundTargetAtMaxPeers_leavesNoInboundSlot() {
        // As bitcoind's nMaxInbound: the reserve is taken from the total, never beyond it.
        let limits = PeerTable.Limits(minimumOutbound: 8, maximumPeers: 4)
        #expect(limits.inboundSlots == 0 && limits.reservedOutbound == 4)
        #expect(PeerTable.Limits(minimumOutbound: 8, maximumPeers: 16).inboundSlots == 8)
    }

    @Test func incompatiblePeers_getALongCooldown_neverABan() {
        var table = table()
        let peer = Self.address("60.0.0.1")
        table.book.add(peer, source: .gossip, now: 0)
        var now = 0.0
        for attempt in 1...6 {
            let actions = table.dialFailed(peer, reason: .chainIDMismatch, handshake: true, now: now)
            #expect(!actions.contains { if case .report(.banned) = $0 { true } else { false } })
            let cooldown = (table.book[PeerIP(peer.ip)]?.cooldownUntil ?? 0) - now
            #expect(cooldown == min(3600, 600 * Double(1 << (attempt - 1))), "attempt \(attempt)")
            now += 4000
        }
        #expect(table.book[PeerIP(peer.ip)]?.bannedUntil == nil)
        #expect(table.admitInbound(PeerIP(peer.ip), localIP: Self.me, now: now) == nil)
    }

    @Test func inboundProtocolViolations_banAnIPTheBookDidNotKnow() {
        var table = table()
        let violator = Self.ip("11.1.1.1")
        var actions: [PeerTable.Action] = []
        for attempt in 0..<PeerBook.violationsBeforeBan {
            let now = Double(attempt) * 31
            #expect(table.admitInbound(violator, localIP: Self.me, now: now) == nil)
            actions = table.inboundFailed(violator, reason: .protocolViolation, now: now)
        }
        let until = 62 + PeerBook.banDuration
        #expect(actions.contains(.report(.banned(violator, until: until))))
        #expect(table.book[violator]?.bannedUntil == until)
        #expect(table.book.bans(now: 100).map(\.ip) == [violator])
        #expect(table.admitInbound(violator, localIP: Self.me, now: 200) == .peerBanned)
        // Its record has no port and no address-manager entry: never drawn, never shared.
        #expect(table.book[violator]?.address.port == 0)
        #expect(table.book.addresses[violator] == nil)
    }

    @Test func operatorBan_closesTheSession_andUnbanLetsItBackIn() {
        var table = table()
        let peer = Self.ip("11.1.1.1")
        #expect(Self.handshaked(&table, peer, id: 1, now: 0) == nil)
        let actions = table.ban(peer, until: 500, reason: .operatorBan, now: 10)
        #expect(actions.first == .report(.banned(peer, until: 500)))
        #expect(actions.contains(.close(peer, id: 1, reason: .operatorBan)))
        #expect(table.sessions[peer] == nil)
        #expect(table.book.bans(now: 10).map { [$0.ip.description, $0.lastReason] } == [["11.1.1.1", "operator_ban"]])
        #expect(table.admitInbound(peer, localIP: Self.me, now: 50) == .peerBanned)
        let lifted = table.unban(peer, now: 60)
        let liftedAgain = table.unban(peer, now: 60)
        #expect(lifted && !liftedAgain)
        #expect(table.admitInbound(peer, localIP: Self.me, now: 60) == nil)
    }

    /// INTERFACE.md's start order: anchors, the persisted book, `--peer`, seeds. The book's
    /// picks are random draws now (so their order among themselves is not fixed: the test
    /// checks the set), and the anchor's /16 is not drawn again (one outbound per /16).
    @Test func planning_followsTheStartOrder_anchorsBookDirectSeeds() async {
        var book = PeerBook()
        let now = ConnectionManager.now()
        book.add(Self.address("43.0.0.1"), source: .seed, now: now)
        book.add(Self.address("40.0.0.2"), source: .direct, now: now)
        book.add(Self.address("41.0.0.3"), source: .peerBook, now: now)
        book.add(Self.address("42.0.0.5"), source: .peerBook, now: now)
        book.add(Self.address("40.0.0.6"), source: .peerBook, now: now)
        var configuration = NodeConfiguration()
        configuration.minimumOutbound = 8
        let manager = ConnectionManager(
            configuration: configuration, reactor: .shared, logger: .silent, book: book,
            anchors: [Self.address("40.0.0.4")])
        let order = await manager.planCycle().dials.map(\.0.description)
        #expect(order.first == "40.0.0.4:7071")
        #expect(Set(order.dropFirst().prefix(2)) == ["41.0.0.3:7071", "42.0.0.5:7071"])
        #expect(Array(order.dropFirst(3)) == ["40.0.0.2:7071", "43.0.0.1:7071"])
        #expect(!order.contains("40.0.0.6:7071"), "a second outbound in the anchor's /16")
        // An anchor above us is dialed at once: we dialed it before.
        var higher = self.table()
        higher.book.add(Self.address("60.0.0.1"), source: .peerBook, now: 0)
        #expect(
            higher.decideDial(Self.address("60.0.0.1"), source: .peerBook, localIP: Self.me, now: 0) == .awaitingInbound
        )
        var anchored = self.table()
        anchored.anchors = [Self.address("60.0.0.1")]
        #expect(anchored.decideDial(Self.address("60.0.0.1"), source: .peerBook, localIP: Self.me, now: 0) == nil)
    }

    @Test func anchorCandidates_areTheOldestNormalOutboundSessions() {
        var table = table()
        _ = table.decideDial(Self.address("40.0.0.1"), source: .direct, localIP: Self.me, now: 0)
        _ = table.established(
            Self.ip("40.0.0.1"), id: 1, direction: .outbound, localIP: Self.me, listenAddress: Self.address("40.0.0.1"),
            now: 0)
        for (index, host) in ["40.0.0.4", "40.0.0.2", "40.0.0.3"].enumerated() {
            _ = table.decideDial(Self.address(host), source: .seed, localIP: Self.me, now: 0)
            _ = table.established(
                Self.ip(host), id: UInt64(2 + index), direction: .outbound, localIP: Self.me,
                listenAddress: Self.address(host), now: Double(index))
        }
        #expect(Self.handshaked(&table, Self.ip("60.0.0.1"), id: 9, now: 0) == nil)
        #expect(table.anchorCandidates().map(\.description) == ["40.0.0.4:7071", "40.0.0.2:7071"])
    }
}
