import Wire

/// One parsed HTTP/1.1 request.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The path without the query (`/api/p2p/debug`).
    public var path: String
    public var query: String?
    /// `HTTP/1.1` or `HTTP/1.0` (a higher 1.x minor version is read as 1.1).
    public var version: String
    /// Header names lowercased, in order.
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The authority of an absolute-form target (`http://127.0.0.1:7070/health`), which
    /// stands in for Host (RFC 9112 §3.2.2).
    public var authority: String?
    /// The request carried `Expect: 100-continue` (HTTP/1.1).
    public var expectsContinue = false
    /// The address the request arrived on (the server's side of the connection).
    public var localAddress: SocketAddress?
    /// The client's address.
    public var remoteAddress: SocketAddress?

    public init(
        method: String, path: String, query: String? = nil, version: String = "HTTP/1.1",
        headers: [(String, String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers.map { ($0.0.lowercased(), $0.1) }
        self.body = body
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query && lhs.version == rhs.version
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" } && lhs.body == rhs.body
            && lhs.authority == rhs.authority
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.0 == lowered }?.1
    }

    /// Every value of header `name`, split as a comma-separated list and lowercased (for
    /// token lists such as `Connection` and `Transfer-Encoding`).
    public func tokens(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.0 == lowered }.flatMap { Self.tokens($0.1) }
    }

    /// `a, b ,c` → `["a", "b", "c"]`, lowercased, empty elements dropped (RFC 9110 §5.6.1).
    static func tokens(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
    }

    /// Whether the connection stays open after the response (RFC 9112 §9.3): HTTP/1.1
    /// unless a `close` option is among the `Connection` tokens; HTTP/1.0 only with
    /// `keep-alive` and no `close`.
    public var keepAlive: Bool {
        let options = tokens("connection")
        if options.contains("close") { return false }
        if version == "HTTP/1.0" { return options.contains("keep-alive") }
        return true
    }

    /// The authority the client addressed: an absolute-form target's, else Host.
    public var requestedAuthority: String? {
        authority ?? header("host")
    }
}
