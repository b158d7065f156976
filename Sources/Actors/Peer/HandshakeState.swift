import Wire

/// The handshake of one connection as a pure state machine. Both sides send their Handshake
/// first; this checks the peer's (a nonce equal to ours means we dialed ourselves; the version
/// ranges must meet, chain id and genesis must match, and the application's hook may refuse
/// it), then waits for its HandshakeAck. On a connection we dialed, one PeerList is tolerated
/// before the peer's Handshake: a full peer sends its addresses before refusing us.
///
/// The PeerConnection feeds it each message (or an undecodable body) and carries out the
/// returned action; it is fuzzed on its own (`scripts/fuzz.sh handshake`).
public struct HandshakeState: Sendable {
    /// The largest frame body accepted before the handshake completes (20 KiB), so a
    /// connection nobody knows yet cannot hold megabytes of partial frame.
    ///
    /// It fits every message valid then: a Handshake (at most 368 bytes, with 1 KiB to spare
    /// for application bytes a later version may add), a Disconnect (66), and the one PeerList
    /// a full node sends before refusing (at most 1,000 entries of ≤ 19 bytes: 19,003).
    public static let maximumFrameSize = 20 * 1024

    /// What this node requires of the peer.
    public struct Expectations: Sendable {
        /// The newest version we speak.
        public var protocolVersion: UInt32
        /// The oldest version we still speak.
        public var minimumProtocolVersion: UInt32
        public var chainID: String
        public var genesis: GenesisHash
        /// Our own nonce (the peer's equal to it: `self_connection`).
        public var nonce: UInt64
        /// The application's check of a handshake that passed every other one: nil admits the
        /// peer, a text refuses it (`application_refused`, the text logged). Must not block.
        public var validate: (@Sendable (Handshake) -> String?)?
        /// Whether one PeerList may come before the peer's Handshake: only on a connection we
        /// dialed, from a full node that refuses us (wire-protocol.md). A peer that dialed us
        /// has nothing to refuse: its PeerList there is a `protocol_violation`.
        public var acceptsRefusalPeerList: Bool

        public init(
            protocolVersion: UInt32, minimumProtocolVersion: UInt32? = nil, chainID: String, genesis: GenesisHash,
            nonce: UInt64, validate: (@Sendable (Handshake) -> String?)? = nil, acceptsRefusalPeerList: Bool = true
        ) {
            self.protocolVersion = protocolVersion
            self.minimumProtocolVersion =
                minimumProtocolVersion ?? min(protocolVersion, Handshake.minimumSupportedProtocolVersion)
            self.chainID = chainID
            self.genesis = genesis
            self.nonce = nonce
            self.validate = validate
            self.acceptsRefusalPeerList = acceptsRefusalPeerList
        }
    }

    public enum Phase: Sendable, Equatable {
        case awaitingHandshake
        case awaitingAck
        case complete
        case failed(HandshakeFailure)
    }

    /// What the connection does next.
    public enum Action: Sendable, Equatable {
        /// Keep the peer's addresses (the one PeerList before its Handshake), read on.
        case learn([SocketAddress])
        /// The peer's Handshake is acceptable: keep it, send our HandshakeAck, read on.
        case acknowledge(Handshake)
        /// The peer acknowledged ours: the session may start.
        case complete
        /// End the connection (with a Disconnect unless the peer sent the reason itself).
        case fail(HandshakeFailure)
        /// Input after the end: nothing to do (the driver stops reading at the end).
        case ignore
    }

    public let expectations: Expectations
    public private(set) var phase = Phase.awaitingHandshake
    /// The peer's Handshake, once accepted.
    public private(set) var remote: Handshake?
    /// The version both sides speak (the lower current version), once the peer's Handshake is
    /// accepted.
    public private(set) var agreedVersion: UInt32?
    /// Why the application refused the peer (with `application_refused`).
    public private(set) var applicationRefusal: String?
    private var peerListSeen = false

    public init(expecting expectations: Expectations) {
        self.expectations = expectations
    }

    /// True once complete or failed.
    public var isFinished: Bool {
        switch phase {
        case .complete, .failed: true
        case .awaitingHandshake, .awaitingAck: false
        }
    }

    /// A message arrived.
    public mutating func receive(_ message: Message) -> Action {
        switch (phase, message) {
        case (.complete, _), (.failed, _):
            return .ignore
        case (_, .disconnect(let reason)):
            // A code outside the taxonomy is `handshake_error` here (its text kept as the
            // detail): metric labels and failure records hold known codes only.
            guard reason.isKnown else {
                return fail(HandshakeFailure(reason: .handshakeError, reportedByPeer: true, detail: reason.rawValue))
            }
            return fail(HandshakeFailure(reason: reason, reportedByPeer: true))
        case (.awaitingHandshake, .handshake(let theirs)):
            if let mismatch = check(theirs) { return fail(HandshakeFailure(reason: mismatch, reportedByPeer: false)) }
            if let refusal = expectations.validate?(theirs) {
                applicationRefusal = refusal
                return fail(HandshakeFailure(reason: .applicationRefused, reportedByPeer: false, detail: refusal))
            }
            remote = theirs
            agreedVersion = min(expectations.protocolVersion, theirs.protocolVersion)
            phase = .awaitingAck
            return .acknowledge(theirs)
        case (.awaitingHandshake, .peerList(let addresses)) where !peerListSeen && expectations.acceptsRefusalPeerList:
            peerListSeen = true
            return .learn(addresses)
        case (.awaitingAck, .handshakeAck):
            phase = .complete
            return .complete
        default:
            return fail(HandshakeFailure(reason: .protocolViolation, reportedByPeer: false))
        }
    }

    /// A frame arrived: its message, or a violation if the body is no message.
    public mutating func receive(frameBody body: ArraySlice<UInt8>) -> Action {
        guard let message = try? Message.decode(body) else { return receiveUndecodable() }
        return receive(message)
    }

    /// A frame arrived whose body is no message.
    public mutating func receiveUndecodable() -> Action {
        guard !isFinished else { return .ignore }
        return fail(HandshakeFailure(reason: .protocolViolation, reportedByPeer: false))
    }

    /// The reason code of a mismatch, or nil if the peer may join.
    public func check(_ theirs: Handshake) -> ReasonCode? {
        if theirs.nonce == expectations.nonce { return .selfConnection }
        let agreed = Handshake.agreedVersion(
            ourCurrent: expectations.protocolVersion, ourMinimum: expectations.minimumProtocolVersion,
            theirCurrent: theirs.protocolVersion, theirMinimum: theirs.minimumProtocolVersion)
        if agreed == nil { return .versionMismatch }
        if theirs.chainID != expectations.chainID { return .chainIDMismatch }
        if theirs.genesis != expectations.genesis { return .genesisMismatch }
        return nil
    }

    private mutating func fail(_ failure: HandshakeFailure) -> Action {
        phase = .failed(failure)
        return .fail(failure)
    }
}
