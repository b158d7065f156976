import Wire

/// Everything a node is started with (INTERFACE.md names and defaults).
public struct NodeConfiguration: Sendable {
    /// P2P listen address; a specific IP is also the source IP of every dial.
    public var listen = SocketAddress(ip: .v4(0), port: 7071)
    /// The HTTP debug endpoint; nil disables it (the `meshnode` binary defaults to 127.0.0.1:7070).
    public var debugListen: SocketAddress?
    /// Host names the debug endpoint answers to besides its own IP and `localhost` (a
    /// request naming another host is refused: DNS rebinding).
    public var debugHostNames: [String] = []
    /// `--mesh-sibling`: the debug endpoints of the other nodes of this node's testnet, whose
    /// sessions `GET /api/p2p/mesh` (and the dashboard's graph) adds to this node's own
    /// (at most 64).
    public var meshSiblings: [SocketAddress] = []
    /// Where each setting came from (`"max_peers": "flag"`; `default`, `file`, `flag`, `env`),
    /// filled in by whoever builds the configuration; `GET /api/p2p/config` shows it.
    public var settingSources: [String: String] = [:]
    public var seeds: [SocketAddress] = []
    /// `--peer`: dialed at once and persisted as `direct`.
    public var directPeers: [SocketAddress] = []
    public var dataDirectory: String?
    public var chainID = "mainnet"
    public var genesis = GenesisHash.mainnet
    /// The newest protocol version spoken; a peer agrees on the lower of both sides' current
    /// versions if each side still speaks it.
    public var protocolVersion = Handshake.currentProtocolVersion
    /// The oldest protocol version still spoken.
    public var minimumProtocolVersion = Handshake.minimumSupportedProtocolVersion
    /// Application bytes sent in every handshake (at most 1,024; ``MeshNode/setHandshakeData(_:)``
    /// changes them while running).
    public var handshakeData: [UInt8] = []
    /// Per channel subscription and peer: the payload bytes that may wait for the application
    /// before the node asks to stop reading that peer (it resumes under half of this).
    public var channelBufferBytes = 1 << 20
    /// Peer events kept per subscriber that has not caught up (the newest are kept).
    public var eventBufferCapacity = 1024
    public var userAgent = "meshnode/0.1.0"
    public var minimumOutbound = 8
    public var maximumPeers = 16
    public var tick: Duration = .seconds(30)
    public var pingInterval: Duration = .seconds(15)
    public var pingTimeout: Duration = .seconds(45)
    public var dialTimeout: Duration = .seconds(5)
    public var handshakeTimeout: Duration = .seconds(5)
    /// Allow loopback and private peer addresses.
    public var lan = false
    public var ipv4Only = false
    /// Addresses sent in one PeerList answer.
    public var peerListLimit = 250
    public var maximumFrameSize = Frame.defaultMaximumSize
    /// `--max-receive-buffer`: payload bytes one peer may have queued toward the application.
    public var maximumReceiveBuffer = 5 << 20
    /// `--max-send-buffer`: bytes queued to one peer past which its requests wait.
    public var maximumSendBuffer = 1 << 20
    /// The first cooldown after a failure (30 s, doubling to 1 h); tests shorten it.
    public var cooldownBase: Duration = .seconds(30)

    public init() {}

    /// `<data-dir>`, defaulting to `./meshnode_data_<port>`, or `./meshnode_data_<ip>_<port>`
    /// when the listen address names an IP, so that nodes sharing a machine on 127.0.0.x
    /// never share a directory by default (INTERFACE.md). The CLI finds a node's cookie here.
    public var resolvedDataDirectory: String {
        if let dataDirectory { return dataDirectory }
        guard let ip = sourceIP else { return "./meshnode_data_\(listen.port)" }
        return "./meshnode_data_\(ip)_\(listen.port)"
    }

    /// `<data-dir>/.cookie`: the debug endpoint's secret for state-changing routes.
    public var cookiePath: String {
        resolvedDataDirectory + "/.cookie"
    }

    /// The IP dials are bound to, if the listen address names one.
    public var sourceIP: IPAddress? {
        listen.ip.isUnspecified ? nil : listen.ip
    }
}
