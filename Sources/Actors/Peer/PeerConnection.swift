import Diagnostics
import Wire

/// Why a handshake failed, with its reason code (also when the peer told us the reason).
public struct HandshakeFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: ReasonCode
    /// True if the peer sent the reason in a Disconnect.
    public let reportedByPeer: Bool
    /// The application's own words when its hook refused the peer (`application_refused`).
    public let detail: String?

    public init(reason: ReasonCode, reportedByPeer: Bool, detail: String? = nil) {
        self.reason = reason
        self.reportedByPeer = reportedByPeer
        self.detail = detail
    }

    public var description: String {
        let text = reportedByPeer ? "peer refused the handshake: \(reason)" : "handshake failed: \(reason)"
        return detail.map { "\(text) (\($0))" } ?? text
    }
}

/// One peer, for both directions: the handshake, then one message loop. Runs on the
/// reactor (its executor is the connection's), so frames and replies never change thread.
public actor PeerConnection: LoopIsolated {
    /// What every PeerConnection of a node shares.
    struct Context: Sendable {
        let configuration: NodeConfiguration
        let nonce: UInt64
        let manager: ConnectionManager
        let payloads: PayloadChannel
        let logger: Logger
        /// The embedding application's hooks; without them payloads go to `payloads`.
        var application: ApplicationHooks?
        /// The GetPeers sample the node's sessions share.
        let addressSample = SharedAddressSample()
        /// The budgets' node-wide tallies.
        let budgetCounters = BudgetCounters()
    }

    public nonisolated let connection: Connection
    public nonisolated let direction: Direction
    public nonisolated let ip: PeerIP
    /// Unique per connection within a node.
    public nonisolated let id: UInt64
    let context: Context

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        connection.reactor.asUnownedSerialExecutor()
    }

    public nonisolated var reactor: Reactor { connection.reactor }

    /// The handshake in progress (its messages arrive on the loop, in the delivery handler).
    var handshaking: HandshakeState?
    /// Set when the handshake completed; `runSession()` starts only then, and once.
    var sessionReady = false
    var remote: Handshake?
    var liveness: Liveness?
    var livenessTimer: TimerID?
    var lingerTimer: TimerID?
    var handshakeTimedOut = false
    /// GetPeers sent and not yet answered: a PeerList is accepted only against one of these.
    var peerListsOwed = 0
    /// The session's budgets (PeerConnection+Budgets.swift), from the session's start.
    var budgets: SessionBudgets?
    /// Fired when `runSession()` has returned (shutdown waits for it, without polling).
    nonisolated let sessionFinished = Completion()
    /// Set when this side decides to end the session (the reason logged and counted).
    public private(set) var closeReason: ReasonCode?
    /// A reason the peer gave in a Disconnect.
    public internal(set) var remoteReason: ReasonCode?
    /// The last measured ping round trip, seconds.
    public internal(set) var lastRTT: Double?
    /// The lowest ping round trip measured on this session, seconds (eviction protects the
    /// fastest peers by it, as Bitcoin Core does).
    public internal(set) var minimumRTT: Double?
    public internal(set) var connectedSince: Double?

    init(connection: Connection, direction: Direction, id: UInt64, context: Context) {
        self.connection = connection
        self.direction = direction
        self.ip = PeerIP(connection.remoteAddress.ip)
        self.id = id
        self.context = context
    }

    /// Runs `body` with the connection isolated. The connection's executor is this actor's
    /// (the same reactor), so whenever this actor runs, the connection's state is ours to use.
    func onConnection<T: Sendable>(_ body: (isolated Connection) throws -> T) rethrows -> T {
        try connection.assumeIsolated(body)
    }

    /// The handshake the peer sent (after `handshake()`).
    public var remoteHandshake: Handshake? { remote }

    /// Where the peer listens: its IP and the port from its handshake.
    public var listenAddress: SocketAddress {
        SocketAddress(ip: connection.remoteAddress.ip, port: remote?.listenPort ?? connection.remoteAddress.port)
    }

    /// Queues an application payload for the peer.
    public func send(payload: [UInt8]) throws {
        try send(.payload(payload))
    }

    /// Queues any message.
    func send(_ message: Message) throws {
        try connection.onLoop(message) { connection, message in try connection.send(message) }
    }

    /// How long a closing session waits for the peer to hang up after our Disconnect.
    static let linger = Duration.seconds(1)

    /// Ends the session: tells the peer why, half-closes, and closes for good when the peer
    /// hangs up or after a second (`linger`), whichever is first.
    public func close(reason: ReasonCode) {
        guard closeReason == nil else { return }
        closeReason = reason
        closing(reason)
        stopLiveness()
        budgets?.receive.interrupt()
        try? onConnection { try $0.send(.disconnect(reason)) }
        onConnection { $0.shutdownOutputAfterFlush() }
        lingerTimer = connection.reactor.scheduleTimer(after: Self.linger) { _ in
            // Timers fire on the reactor thread, this actor's executor.
            self.onLoop(()) { peer, _ in peer.onConnection { $0.close() } }
        }
    }

    /// Reads and discards until the peer hangs up or the linger timer closes the connection
    /// (so a Disconnect we sent is not lost to a reset), then closes.
    func drain() async {
        _ = try? await connection.deliverBatches { _ in .proceed }
        await closeAfterDisconnect()
    }

    /// Closes for good. A Disconnect `close(reason:)` queued leaves first: reading can end at
    /// once (a bad frame) while it is still buffered. The linger timer bounds the wait.
    func closeAfterDisconnect() async {
        if lingerTimer != nil { try? await connection.flush() }
        cancelLinger()
        onConnection { $0.close() }
    }

    /// Closes at once, without telling the peer.
    func abort(reason: ReasonCode) {
        if closeReason == nil {
            closeReason = reason
            closing(reason)
        }
        stopLiveness()
        budgets?.receive.interrupt()
        onConnection { $0.close() }
    }

    func stopLiveness() {
        if let livenessTimer { connection.reactor.cancelTimer(livenessTimer) }
        livenessTimer = nil
        liveness = nil
    }

    func cancelLinger() {
        if let lingerTimer { connection.reactor.cancelTimer(lingerTimer) }
        lingerTimer = nil
    }
}
