import Testing

@testable import Actors
@testable import Wire

@Suite struct PeerTableTests {
    let low = SocketAddress(ip: IPAddress(parsing: "10.0.0.1")!, port: 7071)
    let me = IPAddress(parsing: "10.0.0.5")!
    let high = SocketAddress(ip: IPAddress(parsing: "10.0.0.9")!, port: 7071)

    func table(maximumPeers: Int = 16, lan: Bool = true) -> PeerTable {
        PeerTable(
            limits: .init(minimumOutbound: 8, maximumPeers: maximumPeers),
            policy: DialPolicy(lan: lan, ipv4Only: false, ownAddresses: [PeerIP(me)]))
    }

    @Test func higherPeer_fromBook_waitsOneTick_thenDials() {
        var table = table()
        table.book.add(high, source: .peerBook, now: 0)
        #expect(table.decideDial(high, source: .peerBook, localIP: me, now: 0) == .awaitingInbound)
        #expect(table.decideDial(high, source: .peerBook, localIP: me, now: 0) == .awaitingInbound)
        table.advanceTick()
        #expect(table.decideDial(high, source: .peerBook, localIP: me, now: 0) == nil)
        #expect(table.connecting.contains(PeerIP(high.ip)))
    }

    @Test func higherPeer_asSeedOrDirect_isDialedAtOnce() {
        var table = table()
        #expect(table.decideDial(high, source: .seed, localIP: me, now: 0) == nil)
        var other = self.table()
        #expect(other.decideDial(high, source: .direct, localIP: me, now: 0) == nil)
    }

    @Test func lowerPeer_isDialedAtOnce() {
        var table = table()
        #expect(table.decideDial(low, source: .gossip, localIP: me, now: 0) == nil)
        #expect(table.decideDial(low, source: .gossip, localIP: me, now: 0) == .alreadyConnecting)
    }

    /// What `established` did with session `id`: kept it (closing an older one, or not), or closed it.
    enum Verdict: Equatable {
        case keep
        case keepAndClose(UInt64)
        case reject(ReasonCode)
    }

    func verdict(_ actions: [PeerTable.Action], id: UInt64) -> Verdict {
        var closed: UInt64?
        for action in actions {
            switch action {
            case .close(_, id, let reason): return .reject(reason)
            case .close(_, let other, _): closed = other
            case .register(_, id): return closed.map { .keepAndClose($0) } ?? .keep
            default: continue
            }
        }
        return .reject(.handshakeError)  // neither kept nor closed: a table bug
    }

    @Test func simultaneousOpen_bothSidesKeepTheHigherIPsDial() {
        // Seen from the lower node (me = 10.0.0.5, peer 10.0.0.9 is higher): keep inbound.
        var lower = table()
        let peer = PeerIP(high.ip)
        let first = lower.established(peer, id: 1, direction: .outbound, localIP: me, listenAddress: high, now: 0)
        #expect(verdict(first, id: 1) == .keep)
        let second = lower.established(peer, id: 2, direction: .inbound, localIP: me, listenAddress: high, now: 0)
        #expect(verdict(second, id: 2) == .keepAndClose(1))
        #expect(lower.sessions[peer]?.direction == .inbound)
        // Seen from the higher node: keep its own outbound, whichever finished first.
        var higher = table()
        let lowerIP = PeerIP(me)
        let meAddress = SocketAddress(ip: me, port: 7071)
        let inboundFirst = higher.established(
            lowerIP, id: 1, direction: .inbound, localIP: high.ip, listenAddress: meAddress, now: 0)
        #expect(verdict(inboundFirst, id: 1) == .keep)
        let outboundSecond = higher.established(
            lowerIP, id: 2, direction: .outbound, localIP: high.ip, listenAddress: meAddress, now: 0)
        #expect(verdict(outboundSecond, id: 2) == .keepAndClose(1))
        var higherOtherOrder = table()
        _ = higherOtherOrder.established(
            lowerIP, id: 1, direction: .outbound, localIP: high.ip, listenAddress: meAddress, now: 0)
        let inboundSecond = higherOtherOrder.established(
            lowerIP, id: 2, direction: .inbound, localIP: high.ip, listenAddress: meAddress, now: 0)
        #expect(verdict(inboundSecond, id: 2) == .reject(.duplicateConnection))
    }

    @Test func skipReasons_forPolicyAndState() {
        var table = table(maximumPeers: 1, lan: false)
        #expect(
            table.decideDial(SocketAddress(ip: me, port: 7071), source: .seed, localIP: me, now: 0) == .selfDialBlocked)
        #expect(table.decideDial(low, source: .seed, localIP: me, now: 0) == .privateIPBlocked)
        let loopback = SocketAddress(ip: IPAddress(parsing: "127.0.0.7")!, port: 1)
        #expect(table.decideDial(loopback, source: .seed, localIP: me, now: 0) == .loopbackBlocked)
        let zeroPort = SocketAddress(ip: IPAddress(parsing: "8.8.8.8")!, port: 0)
        #expect(table.decideDial(zeroPort, source: .seed, localIP: me, now: 0) == .invalidAddress)
        let public1 = SocketAddress(ip: IPAddress(parsing: "8.8.8.8")!, port: 7071)
        let public2 = SocketAddress(ip: IPAddress(parsing: "9.9.9.9")!, port: 7071)
        #expect(table.decideDial(public1, source: .seed, localIP: me, now: 0) == nil)
        #expect(table.decideDial(public2, source: .seed, localIP: me, now: 0) == .maxPeersReached)
        var v4only = PeerTable(
            limits: .init(minimumOutbound: 8, maximumPeers: 8), policy: DialPolicy(lan: true, ipv4Only: true))
        let v6 = SocketAddress(ip: IPAddress(parsing: "2001:db8::1")!, port: 7071)
        #expect(v4only.decideDial(v6, source: .seed, localIP: nil, now: 0) == .ipv6Blocked)
    }

    @Test func failure_startsCooldown_bypassedOnRequest() {
        var table = table()
        let ip = PeerIP(low.ip)
        table.book.add(low, source: .peerBook, now: 0)
        #expect(table.decideDial(low, source: .peerBook, localIP: me, now: 0) == nil)
        _ = table.dialFailed(low, reason: .connectionRefused, handshake: false, now: 100)
        #expect(table.decideDial(low, source: .peerBook, localIP: me, now: 110) == .cooldownActive)
        #expect(table.decideDial(low, source: .peerBook, localIP: me, now: 131) == nil)
        var bypass = self.table()
        bypass.book.add(low, source: .peerBook, now: 0)
        bypass.book.recordFailure(ip, reason: .timeout, now: 0)
        #expect(bypass.decideDial(low, source: .direct, localIP: me, now: 1, bypassCooldown: true) == nil)
    }

    @Test func bannedPeer_isSkippedAndRefused() {
        var table = table()
        let ip = PeerIP(low.ip)
        table.book.add(low, source: .gossip, now: 0)
        for _ in 0..<PeerBook.violationsBeforeBan { table.book.recordFailure(ip, reason: .protocolViolation, now: 0) }
        #expect(table.decideDial(low, source: .gossip, localIP: me, now: 10, bypassCooldown: true) == .peerBanned)
        #expect(table.admitInbound(ip, now: 10) == .peerBanned)
    }

    @Test func inboundBeyondMaximum_isRefused() {
        // No outbound reserved: inbound may take both slots.
        var table = PeerTable(
            limits: .init(minimumOutbound: 0, maximumPeers: 2),
            policy: DialPolicy(lan: true, ipv4Only: false, ownAddresses: [PeerIP(me)]))
        for (id, address) in [low, high].enumerated() {
            #expect(table.admitInbound(PeerIP(address.ip), now: 0) == nil)
            _ = table.established(
                PeerIP(address.ip), id: UInt64(id + 1), direction: .inbound, localIP: me, listenAddress: address, now: 0
            )
        }
        #expect(table.admitInbound(PeerIP(IPAddress(parsing: "10.0.0.3")!), now: 0) == .maxPeersReached)
        _ = table.sessionEnded(PeerIP(low.ip), id: 1, reason: .remoteClosed, now: 0)
        #expect(table.admitInbound(PeerIP(IPAddress(parsing: "10.0.0.3")!), now: 0) == nil)
    }

    @Test func reconnect_newSessionEndingFirst_leavesNoSessionAndNoWriter() {
        var table = table()
        let ip = PeerIP(low.ip)
        _ = table.admitInbound(ip, now: 0)
        let first = table.established(ip, id: 1, direction: .inbound, localIP: me, listenAddress: low, now: 0)
        #expect(first.contains(.register(ip, id: 1)))
        _ = table.admitInbound(ip, now: 1)
        let second = table.established(ip, id: 2, direction: .inbound, localIP: me, listenAddress: low, now: 1)
        #expect(second.contains(.close(ip, id: 1, reason: .duplicateConnection)))
        #expect(second.contains(.register(ip, id: 2)))
        // The new session ends before the old one's linger is over: the IP has no writer left,
        // and the old one's end changes nothing but the count.
        let newEnds = table.sessionEnded(ip, id: 2, reason: .remoteClosed, now: 2)
        #expect(newEnds.contains(.unregister(ip)))
        #expect(!newEnds.contains { if case .register = $0 { true } else { false } })
        let oldEnds = table.sessionEnded(ip, id: 1, reason: .duplicateConnection, now: 3)
        #expect(oldEnds == [.report(.disconnected(ip, id: 1, direction: .inbound, reason: .duplicateConnection))])
        #expect(table.sessions.isEmpty && table.liveSessionCount == 0)
        #expect(table.sessionEnded(ip, id: 1, reason: .remoteClosed, now: 4).isEmpty)
    }

    @Test func outboundDial_isConnectingUntilItsSessionIsEstablished_inOneStep() {
        var table = table()
        let ip = PeerIP(low.ip)
        #expect(table.decideDial(low, source: .seed, localIP: me, now: 0) == nil)
        #expect(table.decideDial(low, source: .seed, localIP: me, now: 0) == .alreadyConnecting)
        _ = table.established(ip, id: 1, direction: .outbound, localIP: me, listenAddress: low, now: 0)
        #expect(table.connecting.isEmpty && table.sessions[ip]?.id == 1)
        #expect(table.decideDial(low, source: .seed, localIP: me, now: 0) == .alreadyConnected)
    }

    @Test func thirdHandshakeViolation_bansTheIP_andClosesItsSession() {
        var table = table()
        let ip = PeerIP(low.ip)
        table.book.add(low, source: .gossip, now: 0)
        _ = table.admitInbound(ip, now: 0)
        _ = table.established(ip, id: 1, direction: .inbound, localIP: me, listenAddress: low, now: 0)
        var actions: [PeerTable.Action] = []
        for attempt in 0..<PeerBook.violationsBeforeBan {
            _ = table.admitInbound(ip, now: Double(attempt))
            actions = table.inboundFailed(ip, reason: .protocolViolation, now: Double(attempt))
        }
        #expect(actions.contains(.close(ip, id: 1, reason: .peerBanned)))
        #expect(actions.contains(.unregister(ip)))
        #expect(table.sessions[ip] == nil)
        #expect(table.admitInbound(ip, now: 10) == .peerBanned)
    }

    @Test func shutdown_closesEverySession_andRefusesWhatComesAfter() {
        var table = table()
        let ip = PeerIP(low.ip)
        let late = PeerIP(high.ip)
        _ = table.admitInbound(ip, now: 0)
        _ = table.established(ip, id: 1, direction: .inbound, localIP: me, listenAddress: low, now: 0)
        #expect(table.decideDial(high, source: .seed, localIP: me, now: 0) == nil)
        #expect(table.shutdown() == [.close(ip, id: 1, reason: .shutdown), .unregister(ip)])
        #expect(table.decideDial(low, source: .seed, localIP: me, now: 1) == .shutdown)
        #expect(table.admitInbound(ip, now: 1) == .shutdown)
        // A dial that was under way finishes its handshake: it is closed, never reachable.
        let finished = table.established(late, id: 2, direction: .outbound, localIP: me, listenAddress: high, now: 1)
        #expect(finished == [.close(late, id: 2, reason: .shutdown)])
        #expect(table.liveSessionCount == 2)
        _ = table.sessionEnded(ip, id: 1, reason: .shutdown, now: 2)
        _ = table.sessionEnded(late, id: 2, reason: .shutdown, now: 2)
        #expect(table.liveSessionCount == 0 && table.connecting.isEmpty)
    }
}
