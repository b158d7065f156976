/// What the node shows the debug endpoint, the report files and the metrics, as plain
/// values: Diagnostics knows nothing of actors; the node fills this in.
public struct DebugSnapshot: Sendable {
    public struct Peer: Sendable {
        public var ip: String
        public var address: String
        public var direction: String
        public var connectedSinceUnix: Int
        public var lastRTTMilliseconds: Double?
        public var userAgent: String?

        public init(
            ip: String, address: String, direction: String, connectedSinceUnix: Int, lastRTTMilliseconds: Double?,
            userAgent: String?
        ) {
            self.ip = ip
            self.address = address
            self.direction = direction
            self.connectedSinceUnix = connectedSinceUnix
            self.lastRTTMilliseconds = lastRTTMilliseconds
            self.userAgent = userAgent
        }
    }

    /// Counts for `peer_store_stats.json`.
    public struct Store: Sendable {
        public var knownPeers = 0
        public var connected = 0
        public var connecting = 0
        public var cooldown = 0
        public var banned = 0
        public var unhealthy = 0
        public var attemptedLastCycle = 0
        public var connectedLastCycle = 0
        public init() {}
    }

    /// One reason of the last cycle: how often, and up to 5 sample addresses.
    public struct ReasonTally: Sendable {
        public var reason: String
        public var count: Int
        public var samples: [String]
        public init(reason: String, count: Int, samples: [String]) {
            self.reason = reason
            self.count = count
            self.samples = samples
        }
    }

    /// The limits the node runs with, so that `diagnose` judges a count against them (a node
    /// with `--max-peers 1` is complete at one peer). Nil fields are left out of the reports.
    public struct Limits: Sendable {
        public var maximumPeers: Int?
        public var minimumOutbound: Int?
        public var lan: Bool?
        /// Our P2P port: a peer that shares our IP on another port is another node, not us.
        public var listenPort: Int?
        public init(maximumPeers: Int? = nil, minimumOutbound: Int? = nil, lan: Bool? = nil, listenPort: Int? = nil) {
            self.maximumPeers = maximumPeers
            self.minimumOutbound = minimumOutbound
            self.lan = lan
            self.listenPort = listenPort
        }
    }

    public var peers: [Peer] = []
    /// Where the node listens for peers (`IP:PORT`): who it is in the mesh graph.
    public var listenAddress: String?
    public var limits = Limits()
    public var hot = 0
    public var warm = 0
    public var cold = 0
    public var dialFailures: [DialFailure] = []
    public var store = Store()
    /// The last cycle: attempted, connected, final connected, target.
    public var cycle = (attempted: 0, connected: 0, finalConnected: 0, target: 0)
    public var reasons: [ReasonTally] = []
    /// The last handshake failures (both directions, at most 100): how many, and how many of
    /// each reason, so that `diagnose` can tell "every peer disagrees with our chain id".
    public var recentHandshakeFailures = (count: 0, byReason: [String: Int]())
    /// Bans in force.
    public var bannedPeers = 0
    public var metrics = MetricsSnapshot()
    public var uptimeSeconds = 0
    /// The funnel of the last ticks, oldest first (`Funnel`); empty when not recorded.
    public var funnel: [Funnel.Tick] = []
    /// Peers held off as `flapping` now, with the end of each hold (`FlapDamper`).
    public var flapping: [(ip: String, untilUnix: Double)] = []

    public init() {}
}

/// The node, as the debug endpoint sees it.
public protocol DebugDataSource: Sendable {
    func debugSnapshot() async -> DebugSnapshot
    /// Dials now, bypassing cooldown; returns the reason code of a failure or skip, nil if
    /// a session was established.
    func connectNow(_ address: String) async -> Result<Void, ConnectRefusal>
    /// Every decision about one peer (`ip` is normalized IP text), or nil if the node knows
    /// nothing of it.
    func why(ip: String) async -> PeerWhy?
}

extension DebugDataSource {
    /// A source that keeps no per-peer history knows no peer.
    public func why(ip: String) async -> PeerWhy? { nil }
}

/// Why `POST /api/p2p/connect` did not connect.
public struct ConnectRefusal: Error, Sendable {
    /// A reason code, or `invalid_address` for an unparsable address.
    public var reason: String
    public var detail: String
    public init(reason: String, detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
