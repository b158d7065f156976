import Wire

/// The routes of the debug endpoint (INTERFACE.md), answered from a DebugDataSource.
public struct DebugRoutes: Sendable {
    public let source: any DebugDataSource
    public let reports: PublicReports

    public init(source: any DebugDataSource, reports: PublicReports = PublicReports()) {
        self.source = source
        self.reports = reports
    }

    static let routes: [String: String] = [
        "/api/p2p/debug": "GET", "/p2p/peers": "GET", "/api/p2p/connect": "POST", "/api/p2p/stats": "GET",
        "/api/p2p/reasons": "GET", "/metrics": "GET", "/health": "GET",
    ]

    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        guard let method = Self.routes[request.path] else {
            return .error(404, "no route \(request.path); try /api/p2p/debug, /p2p/peers, /metrics, /health")
        }
        guard request.method == method || (method == "GET" && request.method == "HEAD") else {
            return .error(405, "\(request.path) takes \(method)")
        }
        switch request.path {
        case "/api/p2p/connect": return await connect(request)
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
        switch request.path {
        case "/api/p2p/debug": return .json(debug(snapshot))
        case "/p2p/peers":
            return .json(
                .object([
                    ("peers", .array(snapshot.peers.map { .string($0.address) })),
                    ("count", .int(snapshot.peers.count)),
                ]))
        case "/api/p2p/stats": return .json(reports.storeStats(snapshot))
        case "/api/p2p/reasons": return .json(reports.connectReasons(snapshot))
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

    func connect(_ request: HTTPRequest) async -> HTTPResponse {
        guard let body = try? JSONValue.parse(request.body), let address = body["peer_addr"]?.stringValue else {
            return .error(400, "expected a JSON body {\"peer_addr\":\"HOST:PORT\"}")
        }
        switch await source.connectNow(address) {
        case .success:
            return .json(.object([("peer_addr", .string(address)), ("connected", .bool(true)), ("reason", .null)]))
        case .failure(let refusal):
            return .json(
                .object([
                    ("peer_addr", .string(address)), ("connected", .bool(false)), ("reason", .string(refusal.reason)),
                    ("detail", .string(refusal.detail)),
                ]))
        }
    }
}
