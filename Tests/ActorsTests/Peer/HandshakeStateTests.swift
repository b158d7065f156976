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
        version: UInt32 = Handshake.currentProtocolVersion, minimum: UInt32? = nil, chain: String = "mainnet",
        genesis: GenesisHash = .mainnet, nonce: UInt64 = 7, application: [UInt8] = []
    ) -> Handshake {
        Handshake(
            protocolVersion: version, chainID: chain, genesis: genesis, listenPort: 7071, nonce: nonce,
            userAgent: "test",
            minimumProtocolVersion: minimum ?? min(version, Handshake.minimumSupportedProtocolVersion),
            application: application)
    }

    /// Our range is 3...5 in these cases.
    static func rangedState(validate: (@Sendable (Handshake) -> String?)? = nil) -> HandshakeState {
        HandshakeState(
            expecting: .init(
                protocolVersion: 5, minimumProtocolVersion: 3, chainID: "mainnet", genesis: .mainnet, nonce: ours,
                validate: validate))
    }

    @Test(arguments: [
        // (their current, their minimum, agreed or nil for version_mismatch)
        (UInt32(5), UInt32(5), UInt32?(5)), (4, 1, 4), (9, 2, 5), (9, 5, 5), (3, 3, 3),
        (2, 1, nil),  // they are older than our minimum
        (9, 6, nil),  // they no longer speak our newest
    ])
    func versionRanges_agreeOnTheLowerCurrent_ifBothStillSpeakIt(
        _ current: UInt32, _ minimum: UInt32, _ agreed: UInt32?
    ) {
        var state = Self.rangedState()
        let theirs = Self.theirs(version: current, minimum: minimum)
        let action = state.receive(.handshake(theirs))
        if let agreed {
            #expect(action == .acknowledge(theirs))
            #expect(state.agreedVersion == agreed)
        } else {
            #expect(action == Self.failure(.versionMismatch))
            #expect(state.agreedVersion == nil)
        }
    }

    @Test func applicationHook_seesTheBytes_andMayRefuseWithItsReason() {
        let hook: @Sendable (Handshake) -> String? = { $0.application == [1] ? nil : "wrong genesis block" }
        var admitted = Self.rangedState(validate: hook)
        #expect(
            admitted.receive(.handshake(Self.theirs(version: 5, application: [1]))) != Self.failure(.applicationRefused)
        )
        var refused = Self.rangedState(validate: hook)
        let action = refused.receive(.handshake(Self.theirs(version: 5, application: [2])))
        #expect(
            action
                == .fail(
                    HandshakeFailure(reason: .applicationRefused, reportedByPeer: false, detail: "wrong genesis block"))
        )
        #expect(refused.applicationRefusal == "wrong genesis block" && refused.remote == nil)
    }

    @Test func applicationHook_isNotAskedAboutAPeerTheNodeRefuses() {
        let asked = LockedValue(0)
        var state = Self.rangedState(validate: { _ in
            asked.withLock { $0 += 1 }
            return nil
        })
        _ = state.receive(.handshake(Self.theirs(version: 5, chain: "testnet")))
        #expect(asked.value == 0)
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
            (Self.theirs(version: 9, minimum: 9), .versionMismatch),
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

    @Test func peerListBeforeTheHandshake_onAConnectionThatDialedUs_isAViolation() {
        let addresses = [SocketAddress(ip: .v4(0x7F00_0002), port: 7071)]
        var state = HandshakeState(
            expecting: .init(
                protocolVersion: Handshake.currentProtocolVersion, chainID: "mainnet", genesis: .mainnet,
                nonce: Self.ours,
                acceptsRefusalPeerList: false))
        #expect(state.receive(.peerList(addresses)) == Self.failure(.protocolViolation))
    }

    @Test func disconnectWithACodeOutsideTheTaxonomy_isHandshakeError_withThePeersTextAsDetail() {
        var state = Self.makeState()
        let invented = ReasonCode(rawValue: "yyyyyyyy_12345")
        #expect(
            state.receive(.disconnect(invented))
                == .fail(HandshakeFailure(reason: .handshakeError, reportedByPeer: true, detail: "yyyyyyyy_12345")))
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
    /// handshake budget, the largest Handshake (all of its application bytes) with room to spare.
    @Test func everyMessageValidBeforeTheAck_fitsTheHandshakeBudget() {
        let largestHandshake = Message.handshake(
            Handshake(
                protocolVersion: .max, chainID: String(repeating: "c", count: 64), genesis: .mainnet,
                listenPort: .max, nonce: .max, userAgent: String(repeating: "u", count: 255),
                minimumProtocolVersion: .max,
                application: Array(repeating: 0xAB, count: Message.maximumApplicationDataLength)))
        #expect(largestHandshake.encodedBody().count == 1_398)
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
