import Wire

/// One node's own view of the mesh: who it is and its sessions, each with the side that dialed.
/// The node builds its own from its snapshot; a sibling's is read from the sibling's
/// `GET /api/p2p/mesh?scope=local`, whose text the sibling chose: ``init(parsing:maximumPeers:)``
/// keeps only what is well formed and only the sessions that touch the sibling itself.
public struct MeshView: Sendable, Equatable {
    /// One session of the node, as the node sees it.
    public struct Session: Sendable, Equatable {
        /// The peer's IP (normalized text).
        public var ip: String
        /// Where the peer listens (`IP:PORT`), if known.
        public var address: String?
        /// True when this node dialed the peer.
        public var outbound: Bool

        /// One session.
        public init(ip: String, address: String?, outbound: Bool) {
            self.ip = ip
            self.address = address
            self.outbound = outbound
        }
    }

    /// The node's IP (normalized text): a peer is its IP (INTERFACE.md).
    public var ip: String
    /// Where the node listens for peers.
    public var address: String?
    /// Its sessions, at most ``maximumSessions``.
    public var sessions: [Session]
    /// Sessions past the bound were left out.
    public var truncated = false

    /// A view from its parts.
    public init(ip: String, address: String?, sessions: [Session], truncated: Bool = false) {
        self.ip = ip
        self.address = address
        self.sessions = sessions
        self.truncated = truncated
    }

    /// Sessions read from one view, at most; a node has `--max-peers` (up to 10,000) of them,
    /// and the graph could not show more anyway.
    public static let maximumSessions = 1024

    /// This node's view, from its snapshot.
    public init(snapshot: DebugSnapshot) {
        let listen = snapshot.listenAddress.flatMap { try? SocketAddress(parsing: $0) }
        let sessions = snapshot.peers.prefix(Self.maximumSessions).map { peer in
            Session(ip: peer.ip, address: peer.address, outbound: peer.direction == "outbound")
        }
        self.init(
            ip: listen?.ip.normalized.description ?? "0.0.0.0", address: listen?.description, sessions: sessions,
            truncated: snapshot.peers.count > Self.maximumSessions)
    }

    /// Why a sibling's answer is not a view of the mesh.
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong with it.
        public var description: String
    }

    /// A view read from the JSON of `GET /api/p2p/mesh?scope=local` (the shape of
    /// ``MeshGraph/json``): `self` names the node, `edges` its sessions, `nodes` the addresses.
    /// Edges that do not touch `self` are dropped (a node can only speak for its own sessions);
    /// an IP or address that does not parse is dropped; past `maximumPeers` sessions the rest
    /// are left out and the view says so.
    public init(parsing json: JSONValue, maximumPeers: Int = MeshView.maximumSessions) throws(Malformed) {
        guard case .object = json else { throw Malformed(description: "not a JSON object") }
        guard let selfText = json["self"]?.stringValue, let me = Self.ip(selfText) else {
            throw Malformed(description: "no valid 'self' IP")
        }
        guard let edges = json["edges"]?.arrayValue, let nodes = json["nodes"]?.arrayValue else {
            throw Malformed(description: "no 'nodes' and 'edges' arrays")
        }
        var addresses: [String: String] = [:]
        for node in nodes.prefix(4 * maximumPeers) {
            guard let ip = node["ip"]?.stringValue.flatMap(Self.ip), let text = node["addr"]?.stringValue,
                let address = Self.address(text)
            else { continue }
            addresses[ip] = address
        }
        var sessions: [Session] = []
        var seen = Set<String>()
        var truncated = false
        for edge in edges {
            guard let from = edge["from"]?.stringValue.flatMap(Self.ip),
                let to = edge["to"]?.stringValue.flatMap(Self.ip), from != to, from == me || to == me
            else { continue }
            let peer = from == me ? to : from
            guard seen.insert(peer).inserted else { continue }
            guard sessions.count < maximumPeers else {
                truncated = true
                break
            }
            sessions.append(Session(ip: peer, address: addresses[peer], outbound: from == me))
        }
        self.init(
            ip: me, address: addresses[me], sessions: sessions,
            truncated: truncated || json["truncated"]?.boolValue == true)
    }

    /// Normalized text of a numeric IP, or nil (anything else a sibling sends is dropped).
    static func ip(_ text: String) -> String? {
        guard text.utf8.count <= 64, let ip = IPAddress(parsing: text) else { return nil }
        return ip.normalized.description
    }

    /// `IP:PORT` re-rendered from its parse, or nil.
    static func address(_ text: String) -> String? {
        guard text.utf8.count <= 80, let address = try? SocketAddress(parsing: text) else { return nil }
        return SocketAddress(ip: address.ip.normalized, port: address.port).description
    }
}
