import Foundation
import Testing

@testable import Diagnostics
@testable import Wire

/// `GET /` (the dashboard), `GET /api/p2p/why/IP` and `GET /api/p2p/funnel`, without sockets.
@Suite struct DashboardRoutesTests {
    static let endpoint = SocketAddress(ip: IPAddress(parsing: "127.0.0.1")!, port: 7070)

    func get(_ path: String, method: String = "GET", source: any DebugDataSource = ReportsSource()) async
        -> HTTPResponse
    {
        var request = HTTPRequest(method: method, path: path, headers: [("Host", "127.0.0.1:7070")], body: [])
        request.localAddress = Self.endpoint
        return await DebugRoutes(source: source).handle(request)
    }

    func object(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    // A page a peer can write into (addresses, reasons) must not be able to run code from
    // elsewhere, be framed (clickjacking), or be sniffed as another type.
    @Test func dashboard_isHTML_withAStrictPolicy_andNoExternalResource() async throws {
        let page = await get("/")
        #expect(page.status == 200)
        #expect(page.contentType == "text/html; charset=utf-8")
        let policy = try #require(page.header("Content-Security-Policy"))
        for directive in ["default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"] {
            #expect(policy.contains(directive), "\(directive)")
        }
        #expect(!policy.contains("http") && !policy.contains("*") && !policy.contains("unsafe-eval"))
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        #expect(page.header("X-Frame-Options") == "DENY")
        // The SVG namespace is a name, not a resource: the one URL allowed in the page.
        let html = String(decoding: page.body, as: UTF8.self).replacingOccurrences(
            of: "'http://www.w3.org/2000/svg'", with: "")
        #expect(html.hasPrefix("<!doctype html>"))
        // Nothing loaded from elsewhere, and no HTML parsing of data.
        for forbidden in [
            "http://", "https://", "//cdn", "src=\"", "innerHTML", "outerHTML", "insertAdjacentHTML",
            "document.write", "eval(",
        ] {
            #expect(!html.contains(forbidden), "the page contains \(forbidden)")
        }
        // It reads only this node's routes.
        for route in ["'/api/p2p/debug'", "'/api/p2p/reasons'", "'/api/p2p/funnel'", "'/api/p2p/why/'"] {
            #expect(html.contains(route))
        }
        let head = await get("/", method: "HEAD")
        #expect(head.status == 200 && head.body == page.body)  // the server drops a HEAD's body
        let post = await get("/", method: "POST")
        #expect(post.status == 405 && post.header("Allow") == "GET, HEAD")
    }

    @Test func why_is400ForANonIP_404ForAnUnknownIP() async throws {
        for text in [
            "not-an-ip", "10.0.0.1:7071", "", "999.1.1.1", String(repeating: "1", count: 200), "%3", "%zz1", "%FF",
            "10.0.0.1%00",
        ] {
            #expect(await get("/api/p2p/why/\(text)").status == 400, "\(text)")
        }
        let unknown = await get("/api/p2p/why/10.9.9.9")
        #expect(unknown.status == 404)
        #expect(try object(unknown)["status"] as? Int == 404)
    }

    @Test func why_listsEveryDecisionNewestLast_withTheLedgerAndTheHold() async throws {
        var reports = PeerReports(damper: FlapDamper(policy: .init(maximumDrops: 1, window: 600, baseHold: 60)))
        reports.record(.dialed(source: "seed"), ip: "10.0.0.1", now: 100)
        reports.record(.connected(direction: "outbound"), ip: "10.0.0.1", now: 100.25)
        reports.record(
            .disconnected(reason: "remote_closed", side: .remote, remoteReason: "shutdown"), ip: "10.0.0.1", now: 110.25
        )
        reports.record(.connected(direction: "inbound"), ip: "10.0.0.1", now: 111)
        reports.record(.disconnected(reason: "ping_timeout", side: .local, remoteReason: nil), ip: "10.0.0.1", now: 112)
        // An IPv4-mapped IPv6 address is the same peer.
        let response = await get("/api/p2p/why/::ffff:10.0.0.1", source: ReportsSource(reports: reports, now: 113))
        #expect(response.status == 200)
        let why = try object(response)
        #expect(why["ip"] as? String == "10.0.0.1")
        #expect(why["flapping_until_unix"] as? Double == 172)
        // As a browser's encodeURIComponent sends it.
        let encoded = await get(
            "/api/p2p/why/%3A%3Affff%3A10.0.0.1", source: ReportsSource(reports: reports, now: 113))
        #expect(try object(encoded)["ip"] as? String == "10.0.0.1")
        let decisions = try #require(why["decisions"] as? [[String: Any]])
        #expect(
            decisions.map { $0["event"] as? String }
                == ["dialed", "connected", "disconnected", "connected", "disconnected", "flapping"])
        #expect(decisions[2]["side"] as? String == "remote" && decisions[2]["remote_reason"] as? String == "shutdown")
        #expect(decisions[2]["session_seconds"] as? Double == 10)
        #expect(decisions[4]["side"] as? String == "local" && decisions[4]["reason"] as? String == "ping_timeout")
        let ledger = try #require(why["disconnects"] as? [String: Any])
        #expect(ledger["last_reason"] as? String == "ping_timeout" && ledger["last_side"] as? String == "local")
        #expect((ledger["remote_reasons"] as? [String: Int]) == ["shutdown": 1])
    }

    @Test func funnel_showsTheLastTick_theRecentOnes_andWhoIsHeldOff() async throws {
        var snapshot = DebugSnapshot()
        var funnel = Funnel()
        for tick in 1...40 {
            funnel.beginTick(tick, known: 5, connected: [], now: Double(tick))
            funnel.record(.dialed(source: "seed"), ip: "a", now: Double(tick))
        }
        snapshot.funnel = funnel.ticks
        snapshot.flapping = [("10.0.0.1", 500)]
        let response = await get("/api/p2p/funnel", source: ReportsSource(snapshot: snapshot))
        let body = try object(response)
        let last = try #require(body["last"] as? [String: Any])
        #expect(last["tick"] as? Int == 40 && last["dialed"] as? Int == 1 && last["known"] as? Int == 5)
        #expect((body["ticks"] as? [Any])?.count == DebugRoutes.funnelTicksShown)
        let held = try #require(body["flapping"] as? [[String: Any]])
        #expect(held.first?["ip"] as? String == "10.0.0.1" && held.first?["until_unix"] as? Double == 500)
        // The reasons route carries the last tick too.
        let reasons = try object(await get("/api/p2p/reasons", source: ReportsSource(snapshot: snapshot)))
        #expect((reasons["funnel"] as? [String: Any])?["tick"] as? Int == 40)
    }
}

/// A data source backed by report stores and a fixed clock.
struct ReportsSource: DebugDataSource {
    var reports = PeerReports()
    var now = 0.0
    var snapshot = DebugSnapshot()

    func debugSnapshot() async -> DebugSnapshot { snapshot }
    func connectNow(_ address: String) async -> Result<Void, ConnectRefusal> { .success(()) }
    func why(ip: String) async -> PeerWhy? { reports.why(ip: ip, now: now) }
}
