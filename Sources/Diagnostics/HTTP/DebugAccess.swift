import Wire

/// Who may use the debug endpoint: it is closed to web pages (INTERFACE.md, "A hostile
/// network"). A browser lets any page send requests to 127.0.0.1; these checks are what
/// stops such a page:
/// - DNS rebinding: `Host` (or an absolute-form target's authority) must name this endpoint:
///   its own IP, `localhost`, or a configured name, and its port if one is given (else 421);
/// - cross-site requests: an `Origin` other than this endpoint's own, or
///   `Sec-Fetch-Site: cross-site|same-site`, is refused (403);
/// - routes that change state need the cookie as `Authorization: Bearer <cookie>` (401),
///   which a page cannot read, and a JSON body (415), which a page cannot send cross-site
///   without a CORS preflight the endpoint never grants.
public struct DebugAccess: Sendable {
    /// Host names accepted besides the endpoint's own IP (`localhost` always is), lowercased.
    public var hostNames: Set<String>
    /// The secret of `<data-dir>/.cookie`; nil refuses every state-changing request.
    public var cookie: [UInt8]?

    public init(hostNames: [String] = [], cookie: [UInt8]? = nil) {
        self.hostNames = Set(hostNames.map { $0.lowercased() } + ["localhost"])
        self.cookie = cookie
    }

    /// A refusal for a request from outside (wrong Host, foreign Origin), or nil.
    public func refusal(for request: HTTPRequest) -> HTTPResponse? {
        // HTTP/1.0 may omit Host (RFC 9112 §3.2 requires it of 1.1 only); browsers always
        // send it, so a request without one did not come from a web page.
        let hostless = request.requestedAuthority == nil && request.version == "HTTP/1.0"
        guard hostless || request.requestedAuthority.map({ accepts(authority: $0, of: request) }) == true else {
            let named = request.requestedAuthority ?? ""
            return .error(421, "Host '\(named)' is not this endpoint; use its own address or localhost")
        }
        let origins = request.headers.filter { $0.0 == "origin" }
        if origins.count > 1 || origins.contains(where: { !accepts(origin: $0.1, of: request) }) {
            return .error(403, "cross-origin requests are refused (Origin '\(origins.first?.1 ?? "")')")
        }
        if let site = request.header("sec-fetch-site")?.lowercased(), site == "cross-site" || site == "same-site" {
            return .error(403, "cross-site requests are refused (Sec-Fetch-Site: \(site))")
        }
        return nil
    }

    /// A 401 unless the request carries the cookie as a Bearer token.
    public func authorization(for request: HTTPRequest) -> HTTPResponse? {
        let fields = request.headers.filter { $0.0 == "authorization" }
        if let cookie, fields.count == 1, let token = Self.bearerToken(fields[0].1),
            Self.constantTimeEqual(Array(token.utf8), cookie)
        {
            return nil
        }
        let message =
            fields.isEmpty
            ? "this route needs 'Authorization: Bearer <cookie>' (the cookie is <data-dir>/.cookie)"
            : "wrong or malformed Authorization; the cookie is <data-dir>/.cookie and changes at every start"
        return HTTPResponse.error(401, message).adding("WWW-Authenticate", "Bearer realm=\"meshnode\"")
    }

    /// A 415 unless the body is declared `application/json`.
    public func mediaTypeRefusal(for request: HTTPRequest) -> HTTPResponse? {
        let types = request.headers.filter { $0.0 == "content-type" }
        guard types.count == 1 else { return .error(415, "the body must be Content-Type: application/json") }
        let media = types[0].1.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces().lowercased() }
        guard media == "application/json" else {
            return .error(415, "the body must be Content-Type: application/json, not '\(types[0].1)'")
        }
        return nil
    }

    /// `host[:port]` naming this endpoint.
    func accepts(authority: String, of request: HTTPRequest) -> Bool {
        guard let (host, port) = Self.split(authority: authority) else { return false }
        if let port, let local = request.localAddress, port != local.port { return false }
        return accepts(host: host, of: request)
    }

    /// `http://host[:port]` naming this endpoint (the port must match: another port on the
    /// same host is another origin).
    func accepts(origin: String, of request: HTTPRequest) -> Bool {
        let lowered = origin.lowercased()
        guard lowered.hasPrefix("http://"), let (host, port) = Self.split(authority: String(lowered.dropFirst(7)))
        else { return false }
        guard let local = request.localAddress, (port ?? 80) == local.port else { return false }
        return accepts(host: host, of: request)
    }

    private func accepts(host: String, of request: HTTPRequest) -> Bool {
        if hostNames.contains(host.lowercased()) { return true }
        guard let ip = IPAddress(parsing: host), let local = request.localAddress else { return false }
        return ip.normalized == local.ip.normalized
    }

    /// `name`, `name:port`, `1.2.3.4:port`, `[::1]:port`; nil if malformed.
    static func split(authority: String) -> (String, UInt16?)? {
        var host = Substring(authority)
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
            if host.contains(":") { return nil }
        }
        guard !host.isEmpty else { return nil }
        guard let portText else { return (String(host), nil) }
        guard !portText.isEmpty, portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let port = UInt16(portText)
        else { return nil }
        return (String(host), port)
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1).
    static func bearerToken(_ value: String) -> String? {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    /// Equal, in a time that depends only on the lengths (no early exit at the first
    /// difference, which would let a client guess the cookie byte by byte).
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
