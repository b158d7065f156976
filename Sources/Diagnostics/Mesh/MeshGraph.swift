import Wire

/// The mesh as a graph, for `GET /api/p2p/mesh` and the dashboard: nodes are this node, its
/// siblings (the other nodes of its testnet, `--mesh-sibling`) and the outside peers they
/// report; edges are sessions, directed from the side that dialed to the side that accepted.
/// The union of views: this node's own, and each sibling's as it answered (or, for a sibling
/// that did not, the reason). Pure and bounded: whatever the views hold, the graph has at most
/// ``maximumNodes`` nodes and ``maximumEdges`` edges.
public struct MeshGraph: Sendable, Equatable {
    /// What a node is to the node drawing the graph.
    public enum Kind: String, Sendable {
        /// The node that answered the request.
        case this = "self"
        /// A node of the same testnet, whose own view was asked for.
        case sibling
        /// A peer known only from someone's sessions: not a sibling, its own view unknown.
        case outside

        /// The order of the groups in ``MeshGraph/nodes``.
        var rank: Int {
            switch self {
            case .this: return 0
            case .sibling: return 1
            case .outside: return 2
            }
        }
    }

    /// One node of the graph.
    public struct Node: Sendable, Equatable {
        /// Its IP (normalized text): a peer is its IP.
        public var ip: String
        /// Where it listens for peers, if known.
        public var address: String?
        /// This node, a sibling or an outside peer.
        public var kind: Kind
        /// A sibling's debug endpoint.
        public var debug: String?
        /// Whether a sibling answered with its view; nil for this node and outside peers.
        public var reachable: Bool?
        /// Why a sibling's view is missing.
        public var error: String?
    }

    /// One session.
    public struct Edge: Sendable, Equatable {
        /// The IP of the side that dialed.
        public var from: String
        /// The IP of the side that accepted.
        public var to: String
        /// The nodes whose views report this session (both ends, when both are known).
        public var seenBy: [String]
    }

    /// What became of one sibling's view.
    public struct Sibling: Sendable, Equatable {
        /// Its debug endpoint.
        public var debug: SocketAddress
        /// Its own view, or why it could not be read.
        public var view: Result<MeshView, MeshFetchError>

        /// One sibling's outcome.
        public init(debug: SocketAddress, view: Result<MeshView, MeshFetchError>) {
            self.debug = debug
            self.view = view
        }
    }

    /// The most nodes a graph holds (the page draws them all on two rings).
    public static let maximumNodes = 512
    /// The most edges a graph holds.
    public static let maximumEdges = 4096

    /// This node's IP.
    public var selfIP: String
    /// This node first, then its siblings, then outside peers; each group in IP order.
    public var nodes: [Node]
    /// In the order (from, to) of their IPs.
    public var edges: [Edge]
    /// Something was left out: a view past its sessions bound, or the graph past its own.
    public var truncated: Bool
    /// Whether this is the node's own view only (`?scope=local`).
    public var local: Bool

    /// The graph of `own` and `siblings`' views (`local`: own only, as a sibling asks for it).
    public init(own: MeshView, siblings: [Sibling], local: Bool = false) {
        selfIP = own.ip
        self.local = local
        var truncated = own.truncated
        var nodes: [String: Node] = [
            own.ip: Node(ip: own.ip, address: own.address, kind: .this, debug: nil, reachable: nil, error: nil)
        ]
        var views = [own]
        for sibling in siblings {
            let ip: String
            var node = Node(
                ip: "", address: nil, kind: .sibling, debug: sibling.debug.description, reachable: nil, error: nil)
            switch sibling.view {
            case .success(let view):
                // A sibling answering as this node is this node (listed by mistake): one node.
                guard view.ip != own.ip else { continue }
                ip = view.ip
                node.address = view.address
                node.reachable = true
                truncated = truncated || view.truncated
                views.append(view)
            case .failure(let error):
                // In a testnet a node's debug endpoint and its P2P listener share its IP.
                ip = sibling.debug.ip.normalized.description
                node.reachable = false
                node.error = error.description
            }
            guard nodes[ip] == nil, nodes.count < Self.maximumNodes else { continue }
            node.ip = ip
            nodes[ip] = node
        }
        var edges: [EdgeKey: Set<String>] = [:]
        for view in views {
            for session in view.sessions where session.ip != view.ip {
                if nodes[session.ip] == nil {
                    guard nodes.count < Self.maximumNodes else {
                        truncated = true
                        continue
                    }
                    nodes[session.ip] = Node(
                        ip: session.ip, address: session.address, kind: .outside, debug: nil, reachable: nil,
                        error: nil)
                } else if nodes[session.ip]?.address == nil {
                    nodes[session.ip]?.address = session.address
                }
                let key = session.outbound ? EdgeKey(view.ip, session.ip) : EdgeKey(session.ip, view.ip)
                guard edges[key] != nil || edges.count < Self.maximumEdges else {
                    truncated = true
                    continue
                }
                edges[key, default: []].insert(view.ip)
            }
        }
        self.nodes = nodes.values.sorted {
            $0.kind.rank != $1.kind.rank ? $0.kind.rank < $1.kind.rank : Self.less($0.ip, $1.ip)
        }
        self.edges = edges.sorted { Self.less($0.key.from, $1.key.from, then: $0.key.to, $1.key.to) }.map {
            Edge(from: $0.key.from, to: $0.key.to, seenBy: $0.value.sorted { Self.less($0, $1) })
        }
        self.truncated = truncated
    }

    struct EdgeKey: Hashable {
        let from: String
        let to: String
        init(_ from: String, _ to: String) {
            self.from = from
            self.to = to
        }
    }

    /// IP order (127.0.0.2 before 127.0.0.10), the text's for anything that does not parse.
    static func less(_ a: String, _ b: String) -> Bool {
        switch (IPAddress(parsing: a), IPAddress(parsing: b)) {
        case (.some(let x), .some(let y)) where x != y: return x < y
        default: return a < b
        }
    }

    static func less(_ a: String, _ b: String, then c: String, _ d: String) -> Bool {
        a != b ? less(a, b) : less(c, d)
    }

    /// `{self, scope, nodes:[{ip, addr, kind, debug, reachable, error}], edges:[{from, to,
    /// seen_by}], siblings, unreachable, truncated}`.
    public var json: JSONValue {
        let siblings = nodes.filter { $0.kind == .sibling }
        return .object([
            ("self", .string(selfIP)),
            ("scope", .string(local ? "local" : "mesh")),
            (
                "nodes",
                .array(
                    nodes.map { node in
                        .object([
                            ("ip", .string(node.ip)), ("addr", node.address.map { .string($0) } ?? .null),
                            ("kind", .string(node.kind.rawValue)), ("debug", node.debug.map { .string($0) } ?? .null),
                            ("reachable", node.reachable.map { .bool($0) } ?? .null),
                            ("error", node.error.map { .string($0) } ?? .null),
                        ])
                    })
            ),
            (
                "edges",
                .array(
                    edges.map { edge in
                        .object([
                            ("from", .string(edge.from)), ("to", .string(edge.to)),
                            ("seen_by", .array(edge.seenBy.map { .string($0) })),
                        ])
                    })
            ),
            ("siblings", .int(siblings.count)),
            ("unreachable", .int(siblings.filter { $0.reachable == false }.count)),
            ("truncated", .bool(truncated)),
        ])
    }
}
