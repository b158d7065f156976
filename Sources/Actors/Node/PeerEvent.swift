import Wire

/// Something that happened to a peer, for the embedding application (`Node.events()`).
public enum PeerEvent: Sendable, Equatable {
    /// A session passed its handshake and is reachable now.
    case connected(ConnectedPeer)
    /// A session that was reachable has ended.
    case disconnected(DisconnectedPeer)
    /// The IP is refused until `until` (Unix seconds): by the application, an operator, or
    /// for breaking the protocol rules (`reason` says which).
    case banned(PeerIP, until: Double, reason: String)
    /// A ban was lifted by `Node.unban(_:)` (an expiring ban sends nothing).
    case unbanned(PeerIP)
    /// This many events were dropped because the subscriber fell behind: the buffer keeps
    /// the newest events. Read `Node.peers()` to resynchronize.
    case dropped(Int)
}

/// Which side ended a session.
public enum EndedBy: String, Sendable, Equatable {
    /// This node (a rule broken, a ping timeout, a ban, `disconnect`, shutdown).
    case local
    /// The peer (its Disconnect, its hang-up, or the network).
    case remote
}

/// A peer with an established session, as its handshake described it.
public struct ConnectedPeer: Sendable, Equatable {
    /// The peer's identity.
    public let ip: PeerIP
    /// Where the peer accepts connections (its IP and the port from its handshake).
    public let listenAddress: SocketAddress
    /// Who dialed.
    public let direction: Direction
    /// The protocol version both sides use: the lower of the two current versions.
    public let agreedVersion: UInt32
    /// The application bytes of the peer's handshake.
    public let application: [UInt8]
    /// The peer's software, as it named it.
    public let userAgent: String

    /// A peer as described (tests and applications that simulate peers build these).
    public init(
        ip: PeerIP, listenAddress: SocketAddress, direction: Direction, agreedVersion: UInt32, application: [UInt8],
        userAgent: String
    ) {
        self.ip = ip
        self.listenAddress = listenAddress
        self.direction = direction
        self.agreedVersion = agreedVersion
        self.application = application
        self.userAgent = userAgent
    }
}

/// How a session ended.
public struct DisconnectedPeer: Sendable, Equatable {
    /// The peer's identity.
    public let ip: PeerIP
    /// Who had dialed.
    public let direction: Direction
    /// Who ended it.
    public let endedBy: EndedBy
    /// Why, as this node counts it (`remote_closed` when the peer hung up).
    public let reason: ReasonCode
    /// The reason the peer gave in its Disconnect, if it sent one.
    public let remoteReason: ReasonCode?

    /// An end as described.
    public init(ip: PeerIP, direction: Direction, endedBy: EndedBy, reason: ReasonCode, remoteReason: ReasonCode?) {
        self.ip = ip
        self.direction = direction
        self.endedBy = endedBy
        self.reason = reason
        self.remoteReason = remoteReason
    }
}
