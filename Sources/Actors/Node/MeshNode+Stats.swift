import Diagnostics
import Wire

/// A point-in-time view of a node, for embedding programs and the debug endpoint.
public struct NodeStats: Sendable {
    public struct Peer: Sendable {
        public var ip: PeerIP
        /// Where the peer listens.
        public var address: SocketAddress
        public var direction: Direction
        public var connectedSinceUnix: Double
        /// The last ping round trip, seconds.
        public var lastRTT: Double?
    }

    public var listen: SocketAddress
    public var peers: [Peer]
    public var connecting: Int
    public var tiers: [PeerTier: Int]
    public var knownPeers: Int
    /// The last 100 dial failures, oldest first.
    public var dialFailures: [DialFailure]
    public var totals: ConnectionManager.Counters
    public var lastCycle: CycleSummary?
}

extension MeshNode {
    /// Sends an application payload to one peer; false if it is not connected.
    @discardableResult
    public func send(_ payload: [UInt8], to peer: PeerIP) async -> Bool {
        await registry.send(payload, to: peer)
    }

    /// Sends an application payload to every connected peer except `excluded`.
    @discardableResult
    public func broadcast(_ payload: [UInt8], except excluded: PeerIP? = nil) async -> Int {
        await registry.broadcast(payload, except: excluded)
    }

    /// A snapshot of the node's peers, book and counters.
    public func stats() async -> NodeStats {
        let sessions = await manager.sessions
        var rtts: [PeerIP: Double] = [:]
        for peer in await manager.livePeers {
            if let rtt = await peer.lastRTT { rtts[peer.ip] = rtt }
        }
        let book = await manager.bookCounts()
        let peers = sessions.map { ip, session in
            NodeStats.Peer(
                ip: ip, address: session.listenAddress, direction: session.direction,
                connectedSinceUnix: session.since, lastRTT: rtts[ip])
        }.sorted { $0.ip < $1.ip }
        return NodeStats(
            listen: listenAddress, peers: peers, connecting: await manager.connectingCount,
            tiers: book.tiers, knownPeers: book.known, dialFailures: await manager.dialFailures,
            totals: await manager.totals, lastCycle: lastCycleSummary)
    }
}
