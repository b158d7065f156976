import Testing

@testable import Diagnostics
@testable import Wire

/// The endpoint as a web page would drive it (INTERFACE.md, "A hostile network"), and the
/// operator routes' request and answer shapes, without sockets.
@Suite struct DebugRoutesTests {
    static let cookie = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
    static let endpoint = SocketAddress(ip: IPAddress(parsing: "127.0.0.1")!, port: 7070)

    let control = FakeControl()
    var routes: DebugRoutes {
        DebugRoutes(
            source: FakeSource(), control: control,
            access: DebugAccess(hostNames: ["node.lan"], cookie: Array(Self.cookie.utf8)))
    }

    func request(
        _ method: String, _ path: String, host: String? = "127.0.0.1:7070", headers: [(String, String)] = [],
        body: String = ""
    ) -> HTTPRequest {
        var fields = headers
        if let host { fields.insert(("Host", host), at: 0) }
        var request = HTTPRequest(method: method, path: path, headers: fields, body: Array(body.utf8))
        request.localAddress = Self.endpoint
        return request
    }

    func post(_ path: String, _ body: String, extra: [(String, String)] = []) -> HTTPRequest {
        request(
            "POST", path,
            headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(Self.cookie)")] + extra,
            body: body)
    }

    // DNS rebinding: the attacker's name resolves to 127.0.0.1, the browser sends its own Host.
    @Test func host_mustNameTheEndpoint() async {
        for host in ["127.0.0.1:7070", "127.0.0.1", "localhost:7070", "LOCALHOST", "node.lan:7070"] {
            #expect(await routes.handle(request("GET", "/health", host: host)).status == 200, "\(host)")
        }
        for host in ["rebind.evil.example", "rebind.evil.example:7070", "127.0.0.1:7071", "127.0.0.2:7070", ""] {
            #expect(await routes.handle(request("GET", "/health", host: host)).status == 421, "\(host)")
        }
        var absolute = request("GET", "/health", host: "127.0.0.1:7070")
        absolute.authority = "evil.example:7070"
        #expect(await routes.handle(absolute).status == 421)
    }

    @Test func foreignOrigin_orCrossSiteFetch_is403() async {
        for origin in ["https://evil.example", "null", "http://127.0.0.1:8080", "http://localhost"] {
            let response = await routes.handle(
                post("/api/p2p/connect", "{\"peer_addr\":\"1.2.3.4:7071\"}", extra: [("Origin", origin)]))
            #expect(response.status == 403, "\(origin)")
        }
        let sameOrigin = await routes.handle(request("GET", "/health", headers: [("Origin", "http://127.0.0.1:7070")]))
        #expect(sameOrigin.status == 200)
        let crossSite = await routes.handle(request("GET", "/health", headers: [("Sec-Fetch-Site", "cross-site")]))
        #expect(crossSite.status == 403)
        #expect(control.calls.value.isEmpty)
    }

    // The issue's attack: a text/plain or form POST (a "simple request" a page can send).
    @Test func postWithoutJSONMediaType_is415_andNothingIsDialed() async {
        for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            let response = await routes.handle(
                request(
                    "POST", "/api/p2p/connect",
                    headers: [("Content-Type", type), ("Authorization", "Bearer \(Self.cookie)")],
                    body: "{\"peer_addr\":\"1.2.3.4:7071\"}"))
            #expect(response.status == 415, "\(type)")
        }
        let withCharset = await routes.handle(
            post("/api/p2p/connect", "{\"peer_addr\":\"1.2.3.4:7071\"}").replacing(
                "content-type", "Application/JSON; charset=utf-8"))
        #expect(withCharset.status == 200)
        #expect(control.calls.value == ["connect 1.2.3.4:7071 persist=false"])
    }

    // RFC 6750 §3: a missing or wrong token is 401 with WWW-Authenticate: Bearer.
    @Test func stateChangingRoutes_needTheCookie() async {
        for path in ["/api/p2p/connect", "/api/p2p/disconnect", "/api/p2p/ban", "/api/p2p/unban"] {
            for authorization in [nil, "Bearer wrong", "Basic \(Self.cookie)", "Bearer \(Self.cookie.dropLast())0"] {
                var headers = [("Content-Type", "application/json")]
                if let authorization { headers.append(("Authorization", authorization)) }
                let response = await routes.handle(
                    request("POST", path, headers: headers, body: "{\"ip\":\"1.2.3.4\"}"))
                #expect(response.status == 401, "\(path) \(authorization ?? "none")")
                #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            }
        }
        #expect(control.calls.value.isEmpty)
        #expect(await routes.handle(post("/api/p2p/disconnect", "{\"ip\":\"1.2.3.4\"}")).status == 200)
    }

    // RFC 9110 §15.5.6: 405 carries Allow; no CORS header is ever sent.
    @Test func wrongMethod_is405WithAllow_andOptionsGetsNoCORS() async {
        let options = await routes.handle(
            request("OPTIONS", "/api/p2p/connect", headers: [("Origin", "http://127.0.0.1:7070")]))
        #expect(options.status == 405)
        #expect(options.header("Allow") == "POST")
        #expect(!options.headers.contains { $0.0.lowercased().hasPrefix("access-control") })
        let post = await routes.handle(request("POST", "/metrics"))
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET, HEAD")
        #expect(await routes.handle(request("BREW", "/metrics")).status == 501)
        #expect(await routes.handle(request("GET", "/nope")).status == 404)
    }

    @Test func connect_isOneShotUnlessPersist() async {
        let once = await routes.handle(post("/api/p2p/connect", "{\"peer_addr\":\"1.2.3.4:7071\"}"))
        let kept = await routes.handle(post("/api/p2p/connect", "{\"peer_addr\":\"1.2.3.4:7071\",\"persist\":true}"))
        let bad = await routes.handle(post("/api/p2p/connect", "{\"peer_addr\":\"1.2.3.4:7071\",\"persist\":\"yes\"}"))
        #expect(once.status == 200 && kept.status == 200 && bad.status == 400)
        #expect(control.calls.value == ["connect 1.2.3.4:7071 persist=false", "connect 1.2.3.4:7071 persist=true"])
    }

    @Test func ban_validatesSeconds_andAnswersTheBan() async throws {
        let banned = await routes.handle(post("/api/p2p/ban", "{\"ip\":\"1.2.3.4\",\"seconds\":60}"))
        #expect(banned.status == 200)
        let json = try JSONValue.parse(banned.body)
        #expect(json["ip"]?.stringValue == "1.2.3.4")
        #expect(json["banned_until_unix"]?.intValue == 1060)
        for seconds in ["0", "-5", "1.5", "\"60\"", "99999999999"] {
            let response = await routes.handle(post("/api/p2p/ban", "{\"ip\":\"1.2.3.4\",\"seconds\":\(seconds)}"))
            #expect(response.status == 400, "\(seconds)")
        }
        #expect(await routes.handle(post("/api/p2p/ban", "{\"ip\":\"1.2.3.4\"}")).status == 200)  // 24 h default
        #expect(control.calls.value == ["ban 1.2.3.4 60", "ban 1.2.3.4 86400"])
        let list = try JSONValue.parse(await routes.handle(request("GET", "/api/p2p/bans")).body)
        #expect(list["count"]?.intValue == 1)
    }

    @Test func controlErrors_map_to400And404() async {
        #expect(await routes.handle(post("/api/p2p/unban", "{\"ip\":\"not-an-ip\"}")).status == 400)
        #expect(await routes.handle(post("/api/p2p/unban", "{\"ip\":\"9.9.9.9\"}")).status == 404)
        #expect(await routes.handle(post("/api/p2p/disconnect", "{}")).status == 400)
        #expect(await routes.handle(post("/api/p2p/disconnect", "[1]")).status == 400)
        #expect(await routes.handle(post("/api/p2p/disconnect", "{\"ip\":")).status == 400)
    }

    @Test func config_showsEachSettingsSource() async throws {
        let json = try JSONValue.parse(await routes.handle(request("GET", "/api/p2p/config")).body)
        #expect(json["settings"]?["max-peers"]?["value"]?.intValue == 16)
        #expect(json["settings"]?["max-peers"]?["source"]?.stringValue == "flag")
    }
}

extension HTTPRequest {
    func replacing(_ name: String, _ value: String) -> HTTPRequest {
        var copy = self
        copy.headers = headers.map { $0.0 == name ? ($0.0, value) : $0 }
        return copy
    }
}

struct FakeSource: DebugDataSource {
    func debugSnapshot() async -> DebugSnapshot { DebugSnapshot() }
    func connectNow(_ address: String) async -> Result<Void, ConnectRefusal> { .success(()) }
}

/// Records every action; "9.9.9.9" is never banned, and the clock reads 1000.
final class FakeControl: DebugControl {
    let calls = LockedValue<[String]>([])

    func connect(_ address: String, persist: Bool) async -> Result<Void, ConnectRefusal> {
        calls.withLock { $0.append("connect \(address) persist=\(persist)") }
        return .success(())
    }

    func disconnect(ip: String) async -> Result<Void, ControlError> {
        guard IPAddress(parsing: ip) != nil else { return .failure(ControlError(.invalid, "not an IP")) }
        calls.withLock { $0.append("disconnect \(ip)") }
        return .success(())
    }

    func ban(ip: String, seconds: Int) async -> Result<BanEntry, ControlError> {
        calls.withLock { $0.append("ban \(ip) \(seconds)") }
        return .success(BanEntry(ip: ip, bannedUntilUnix: 1000 + seconds, reason: "operator_ban"))
    }

    func unban(ip: String) async -> Result<Void, ControlError> {
        guard IPAddress(parsing: ip) != nil else { return .failure(ControlError(.invalid, "not an IP")) }
        return .failure(ControlError(.notFound, "\(ip) is not banned"))
    }

    func bans() async -> [BanEntry] { [BanEntry(ip: "1.2.3.4", bannedUntilUnix: 1060, reason: "operator_ban")] }

    func settings() async -> [ConfigSetting] { [ConfigSetting(name: "max-peers", value: .int(16), source: "flag")] }
}
