import Foundation
import Testing

@testable import Diagnostics
@testable import Wire

/// `GET /api/p2p/mesh` as a route: the same HTTP conformance as every other route, and this
/// node's own view (a plain node is itself and its peers), without sockets.
@Suite struct MeshRouteTests {
    static func source() -> ReportsSource {
        var source = ReportsSource()
        source.snapshot.listenAddress = "10.0.0.1:7071"
        source.snapshot.peers = [
            DebugSnapshot.Peer(
                ip: "10.0.0.2", address: "10.0.0.2:7071", direction: "inbound", connectedSinceUnix: 1,
                lastRTTMilliseconds: nil, userAgent: nil),
            DebugSnapshot.Peer(
                ip: "203.0.113.5", address: "203.0.113.5:7071", direction: "outbound", connectedSinceUnix: 1,
                lastRTTMilliseconds: nil, userAgent: nil),
        ]
        return source
    }

    func get(_ path: String, query: String? = nil, method: String = "GET") async -> HTTPResponse {
        var request = HTTPRequest(method: method, path: path, query: query, headers: [("Host", "127.0.0.1:7070")])
        request.localAddress = DashboardRoutesTests.endpoint
        return await DebugRoutes(source: Self.source()).handle(request)
    }

    @Test func mesh_isThisNodeAndItsSessions_asRFC8259JSON() async throws {
        let response = await get("/api/p2p/mesh")
        #expect(response.status == 200 && response.contentType == "application/json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(json["self"] as? String == "10.0.0.1" && json["scope"] as? String == "mesh")
        let nodes = try #require(json["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["ip"] as? String } == ["10.0.0.1", "10.0.0.2", "203.0.113.5"])
        #expect(nodes.map { $0["kind"] as? String } == ["self", "outside", "outside"])
        let edges = try #require(json["edges"] as? [[String: Any]])
        #expect(edges.map { "\($0["from"] ?? "")>\($0["to"] ?? "")" } == ["10.0.0.1>203.0.113.5", "10.0.0.2>10.0.0.1"])
        #expect(json["siblings"] as? Int == 0 && json["truncated"] as? Bool == false)
        // The project's own parser agrees (RFC 8259 exactly, no duplicate key).
        #expect((try? JSONValue.parse(response.body)) != nil)
    }

    @Test func mesh_takesGETAndHEAD_only_andOnlyItsTwoScopes() async throws {
        let page = await get("/api/p2p/mesh")
        let head = await get("/api/p2p/mesh", method: "HEAD")
        #expect(head.status == 200 && head.body.count == page.body.count)  // the server drops a HEAD's body
        for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
            let refused = await get("/api/p2p/mesh", method: method)
            #expect(refused.status == 405 && refused.header("Allow") == "GET, HEAD", "\(method)")
            #expect(refused.header("Access-Control-Allow-Origin") == nil)
        }
        let local = await get("/api/p2p/mesh", query: "scope=local")
        #expect(local.status == 200 && String(decoding: local.body, as: UTF8.self).contains("\"scope\": \"local\""))
        for query in ["scope=everything", "x=1", "scope=local&scope=mesh"] {
            #expect(await get("/api/p2p/mesh", query: query).status == 400, "\(query)")
        }
    }

    @Test func mesh_isClosedToOtherSites_asEveryRoute() async throws {
        var request = HTTPRequest(
            method: "GET", path: "/api/p2p/mesh",
            headers: [("Host", "127.0.0.1:7070"), ("Origin", "http://evil.example")])
        request.localAddress = DashboardRoutesTests.endpoint
        #expect(await DebugRoutes(source: Self.source()).handle(request).status == 403)
        var rebound = HTTPRequest(method: "GET", path: "/api/p2p/mesh", headers: [("Host", "evil.example:7070")])
        rebound.localAddress = DashboardRoutesTests.endpoint
        #expect(await DebugRoutes(source: Self.source()).handle(rebound).status == 421)
    }

    @Test func dashboard_drawsTheMeshFromItsOwnNode() async {
        let page = String(decoding: await get("/").body, as: UTF8.self)
        #expect(page.contains("get('/api/p2p/mesh')") && page.contains("id=\"mesh\""))
        // The graph's values are text or numbers, as everywhere on the page.
        #expect(!page.contains("innerHTML"))
    }
}
