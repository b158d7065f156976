import Wire

/// The routes of the debug endpoint (INTERFACE.md), answered from a DebugDataSource and,
/// for the operator routes, a DebugControl. Every request passes `access` first.
public struct DebugRoutes: Sendable {
    public let source: any DebugDataSource
    public let reports: PublicReports
    public let control: (any DebugControl)?
    public let access: DebugAccess
    /// The siblings' views for `GET /api/p2p/mesh` (a testnet node's); nil: this node's only.
    public let mesh: MeshCollector?

    public init(
        source: any DebugDataSource, reports: PublicReports = PublicReports(), control: (any DebugControl)? = nil,
        access: DebugAccess = DebugAccess(), mesh: MeshCollector? = nil
    ) {
        self.source = source
        self.reports = reports
        self.control = control
        self.access = access
        self.mesh = mesh
    }

    /// Read-only routes (GET and HEAD).
    static let readRoutes: Set<String> = [
        "/api/p2p/debug", "/p2p/peers", "/api/p2p/stats", "/api/p2p/reasons", "/metrics", "/health", "/api/p2p/bans",
        "/api/p2p/config", "/api/p2p/funnel", "/api/p2p/mesh", "/",
    ]
    /// `GET /api/p2p/why/IP`: one route per IP.
    static let whyPrefix = "/api/p2p/why/"
    /// Routes that change state (POST, with the cookie and a JSON body).
    static let controlRoutes: Set<String> = [
        "/api/p2p/connect", "/api/p2p/disconnect", "/api/p2p/ban", "/api/p2p/unban",
    ]
    /// Methods RFC 9110 defines; another is 501 (§15.6.2), one of these on a route that does
    /// not take it is 405 with `Allow` (§15.5.6).
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"]

    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        if let refusal = access.refusal(for: request) { return refusal }
        guard Self.knownMethods.contains(request.method) else {
            return .error(501, "method \(request.method) is not implemented")
        }
        let isRead = Self.readRoutes.contains(request.path) || request.path.hasPrefix(Self.whyPrefix)
        guard isRead || Self.controlRoutes.contains(request.path) else {
            return .error(404, "no route \(request.path); try / (the dashboard), /api/p2p/debug, /metrics, /health")
        }
        // No CORS: OPTIONS is answered like any other method a route does not take, with no
        // Access-Control-* header, so a browser never lets a page send a cross-site request.
        let allow = isRead ? "GET, HEAD" : "POST"
        guard isRead ? (request.method == "GET" || request.method == "HEAD") : request.method == "POST" else {
            return .error(405, "\(request.path) takes \(allow)").adding("Allow", allow)
        }
        return isRead ? await read(request.path, query: request.query) : await change(request)
    }

    private func read(_ path: String, query: String?) async -> HTTPResponse {
        if path.hasPrefix(Self.whyPrefix) { return await why(String(path.dropFirst(Self.whyPrefix.count))) }
        switch path {
        case "/": return DashboardPage.response
        case "/api/p2p/mesh": return await mesh(query: query)
        case "/api/p2p/bans": return await bans()
        case "/api/p2p/config": return await settings()
        case "/health":
            let snapshot = await source.debugSnapshot()
            return .json(
                .object([
                    ("status", .string("ok")), ("uptime_seconds", .int(snapshot.uptimeSeconds)),
                    ("connected", .int(snapshot.peers.count)),
                ]))
        default: break
        }
        let snapshot = await source.debugSnapshot()
        switch path {
        case "/api/p2p/debug": return .json(debug(snapshot))
        case "/p2p/peers":
            return .json(
                .object([
                    ("peers", .array(snapshot.peers.map { .string($0.address) })),
                    ("count", .int(snapshot.peers.count)),
                ]))
        case "/api/p2p/stats": return .json(reports.storeStats(snapshot))
        case "/api/p2p/reasons": return .json(reports.connectReasons(snapshot))
        case "/api/p2p/funnel": return .json(funnel(snapshot))
        default:
            return HTTPResponse(
                status: 200, contentType: PrometheusText.contentType,
                body: Array(PrometheusText.render(snapshot.metrics).utf8))
        }
    }

    func debug(_ snapshot: DebugSnapshot) -> JSONValue {
        .object([
            (
                "connected_peers",
                .array(
                    snapshot.peers.map { peer in
                        .object([
                            ("ip", .string(peer.ip)), ("addr", .string(peer.address)),
                            ("direction", .string(peer.direction)),
                            ("connected_since_unix", .int(peer.connectedSinceUnix)),
                            ("last_rtt_ms", peer.lastRTTMilliseconds.map { .double($0) } ?? .null),
                            ("user_agent", peer.userAgent.map { .string($0) } ?? .null),
                        ])
                    })
            ),
            (
                "peer_book_counts",
                .object([
                    ("hot", .int(snapshot.hot)), ("warm", .int(snapshot.warm)), ("cold", .int(snapshot.cold)),
                    ("total", .int(snapshot.hot + snapshot.warm + snapshot.cold)),
                ])
            ),
            (
                "dial_failures",
                .array(
                    snapshot.dialFailures.map { failure in
                        .object([
                            ("addr", .string(failure.address)), ("reason", .string(failure.reason)),
                            ("timestamp_unix", .int(failure.timestampUnix)), ("source", .string(failure.source)),
                        ])
                    })
            ),
            (
                "recent_handshake_failures",
                .object([
                    ("count", .int(snapshot.recentHandshakeFailures.count)),
                    (
                        "by_reason",
                        .object(
                            snapshot.recentHandshakeFailures.byReason.sorted { $0.key < $1.key }.map {
                                ($0.key, JSONValue.int($0.value))
                            })
                    ),
                ])
            ),
            ("banned_peers", .int(snapshot.bannedPeers)),
        ])
    }
}
