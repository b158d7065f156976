import Testing

@testable import Actors
@testable import Wire

@Suite struct HandshakeStateTests {
    static let ours: UInt64 = 42

    static func makeState() -> HandshakeState {
        HandshakeState(
            expecting: .init(
                protocolVersion: Handshake.currentProtocolVersion, chainID: "mainnet", genesis: .mainnet,
                nonce: ours))
    }

    static func theirs(
        version: UInt32 = Handshake.currentProtocolVersion, chain: String = "mainnet",
        genesis: GenesisHash = .mainnet, nonce: UInt64 = 7
    ) -> Handshake {
        Handshake(
            protocolVersion: version, chainID: chain, genesis: genesis, listenPort: 7071, nonce: nonce,
            userAgent: "test")
    }

    static func failure(_ reason: ReasonCode, byPeer: Bool = false) -> HandshakeState.Action {
        .fail(HandshakeFailure(reason: reason, reportedByPeer: byPeer))
    }

    @Test func handshakeThenAck_completes() {
        var state = Self.makeState()
        #expect(state.receive(.handshake(Self.theirs())) == .acknowledge(Self.theirs()))
        #expect(state.phase == .awaitingAck && !state.isFinished)
        #expect(state.receive(.handshakeAck) == .complete)
        #expect(state.phase == .complete && state.remote == Self.theirs())
    }

    @Test func mismatches_failWithTheirReason_inCheckOrder() {
        let cases: [(Handshake, ReasonCode)] = [
            (Self.theirs(nonce: Self.ours), .selfConnection),
            (Self.theirs(version: 9), .versionMismatch),
            (Self.theirs(chain: "testnet"), .chainIDMismatch),
            (Self.theirs(genesis: GenesisHash(hex: String(repeating: "00", count: 32))!), .genesisMismatch),
            // Our own nonce wins over every other difference: it is ourselves.
            (Self.theirs(version: 9, chain: "x", nonce: Self.ours), .selfConnection),
        ]
        for (handshake, reason) in cases {
            var state = Self.makeState()
            #expect(state.receive(.handshake(handshake)) == Self.failure(reason), "\(reason)")
            #expect(state.remote == nil)
        }
    }

    @Test func onePeerListBeforeTheHandshake_isLearned_aSecondIsAViolation() {
        let addresses = [SocketAddress(ip: .v4(0x7F00_0002), port: 7071)]
        var state = Self.makeState()
        #expect(state.receive(.peerList(addresses)) == .learn(addresses))
        #expect(state.receive(.peerList(addresses)) == Self.failure(.protocolViolation))
        var late = Self.makeState()
        _ = late.receive(.handshake(Self.theirs()))
        #expect(late.receive(.peerList(addresses)) == Self.failure(.protocolViolation))
    }

    @Test func disconnect_isThePeersReason_atAnyPointBeforeTheEnd() {
        var early = Self.makeState()
        #expect(early.receive(.disconnect(.maxPeersReached)) == Self.failure(.maxPeersReached, byPeer: true))
        var late = Self.makeState()
        _ = late.receive(.handshake(Self.theirs()))
        #expect(late.receive(.disconnect(.genesisMismatch)) == Self.failure(.genesisMismatch, byPeer: true))
    }

    @Test func otherMessages_andUndecodableBodies_areViolations() {
        let early: [Message] = [.ping(nonce: 1), .pong(nonce: 1), .getPeers, .handshakeAck, .payload([1])]
        for message in early {
            var state = Self.makeState()
            #expect(state.receive(message) == Self.failure(.protocolViolation), "\(message)")
        }
        var twice = Self.makeState()
        _ = twice.receive(.handshake(Self.theirs()))
        #expect(twice.receive(.handshake(Self.theirs())) == Self.failure(.protocolViolation))
        var garbled = Self.makeState()
        #expect(garbled.receiveUndecodable() == Self.failure(.protocolViolation))
    }

    @Test func inputAfterTheEnd_changesNothing() {
        var state = Self.makeState()
        _ = state.receive(.handshake(Self.theirs()))
        _ = state.receive(.handshakeAck)
        #expect(state.receive(.disconnect(.shutdown)) == .ignore)
        #expect(state.receiveUndecodable() == .ignore)
        #expect(state.phase == .complete)
    }
}

@Suite struct HandshakeFrameBudgetTests {
    /// docs/wire-protocol.md: every message valid before the HandshakeAck fits the 20 KiB
    /// handshake budget, a Handshake with 1 KiB to spare for future application bytes.
    @Test func everyMessageValidBeforeTheAck_fitsTheHandshakeBudget() {
        let largestHandshake = Message.handshake(
            Handshake(
                protocolVersion: .max, chainID: String(repeating: "c", count: 64), genesis: .mainnet,
                listenPort: .max, nonce: .max, userAgent: String(repeating: "u", count: 255)))
        #expect(largestHandshake.encodedBody().count == 368)
        #expect(largestHandshake.encodedBody().count + 1024 <= HandshakeState.maximumFrameSize)
        let v6 = SocketAddress(ip: IPAddress(parsing: "2001:db8::1")!, port: 7071)
        let largestPeerList = Message.peerList(Array(repeating: v6, count: 1000))
        #expect(largestPeerList.encodedBody().count == 19_003)
        #expect(largestPeerList.encodedBody().count <= HandshakeState.maximumFrameSize)
        let disconnect = Message.disconnect(ReasonCode(rawValue: String(repeating: "x", count: 64)))
        #expect(disconnect.encodedBody().count <= HandshakeState.maximumFrameSize)
        // Far below the session's maximum: that is the point.
        #expect(HandshakeState.maximumFrameSize * 100 < Frame.defaultMaximumSize)
    }
}
