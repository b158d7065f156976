import Actors
import Diagnostics
import Wire

extension Node {
    /// What a node starts with. Every field has a default but the listen address.
    public struct Configuration: Sendable {
        /// Where the node accepts peers; a specific IP is also the source IP of every dial.
        /// Port 0 picks a free port (read it from ``Node/listenAddress``).
        public var listen: SocketAddress
        /// Peers dialed at once and kept: redialed whenever their session ends.
        public var peers: [SocketAddress] = []
        /// Peers dialed at start to learn others from.
        public var seeds: [SocketAddress] = []
        /// The network's name; a peer on another is refused (`chain_id_mismatch`).
        public var chainID = "mainnet"
        /// The hash of the chain's first block; a peer with another is refused (`genesis_mismatch`).
        public var genesis = GenesisHash.mainnet
        /// Names the software in every handshake, e.g. `toychain/1.0`.
        public var userAgent = "meshnode/0.1.0"
        /// The application's bytes in every handshake, at most 1,024
        /// (``Node/setHandshakeData(_:)`` changes them while running).
        public var handshakeData: [UInt8] = []
        /// The newest wire protocol version spoken (``Node/currentProtocolVersion``).
        public var protocolVersion = Node.currentProtocolVersion
        /// The oldest wire protocol version still spoken.
        public var minimumProtocolVersion = Node.minimumProtocolVersion
        /// Sessions at most, both directions.
        public var maximumPeers = 16
        /// Outbound sessions the node keeps dialing for.
        public var minimumOutbound = 8
        /// Allow loopback and private peer addresses (a LAN or a test on 127.0.0.x).
        public var allowPrivateAddresses = false
        /// Where the peer book is kept across restarts; nil keeps it in memory only.
        public var dataDirectory: String?
        /// Per channel subscription and peer: the payload bytes that may wait for the
        /// application before the node stops reading that peer (1 MiB).
        public var channelBufferBytes = 1 << 20
        /// Peer events kept per subscriber that has not caught up (the newest are kept).
        public var eventBufferCapacity = 1024
        /// How often the node looks for peers to dial.
        public var maintenanceInterval: Duration = .seconds(30)
        /// How long a failed peer waits before the first redial (doubling to an hour).
        public var redialDelay: Duration = .seconds(30)
        /// How long a dial may take to connect.
        public var dialTimeout: Duration = .seconds(5)
        /// How long a handshake may take.
        public var handshakeTimeout: Duration = .seconds(5)
        /// Pings go out this often on a quiet session.
        public var pingInterval: Duration = .seconds(15)
        /// A session without an answer to a ping this long is closed (`ping_timeout`).
        public var pingTimeout: Duration = .seconds(45)
        /// Log lines (`key=value`, one per event) to standard error; off by default.
        public var logsToStandardError = false

        /// A configuration listening on `listen`, every other field at its default.
        public init(listen: SocketAddress) {
            self.listen = listen
        }

        var nodeConfiguration: NodeConfiguration {
            var configuration = NodeConfiguration()
            configuration.listen = listen
            configuration.directPeers = peers
            configuration.seeds = seeds
            configuration.chainID = chainID
            configuration.genesis = genesis
            configuration.userAgent = userAgent
            configuration.handshakeData = handshakeData
            configuration.protocolVersion = protocolVersion
            configuration.minimumProtocolVersion = minimumProtocolVersion
            configuration.maximumPeers = maximumPeers
            configuration.minimumOutbound = minimumOutbound
            configuration.lan = allowPrivateAddresses
            configuration.dataDirectory = dataDirectory
            configuration.channelBufferBytes = channelBufferBytes
            configuration.eventBufferCapacity = eventBufferCapacity
            configuration.tick = maintenanceInterval
            configuration.cooldownBase = redialDelay
            configuration.dialTimeout = dialTimeout
            configuration.handshakeTimeout = handshakeTimeout
            configuration.pingInterval = pingInterval
            configuration.pingTimeout = pingTimeout
            return configuration
        }
    }
}
