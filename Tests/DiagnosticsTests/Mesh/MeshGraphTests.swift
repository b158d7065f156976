import Testing

@testable import Diagnostics
@testable import Wire

/// The mesh as a graph from several nodes' views: what a session between two testnet nodes,
/// a sibling that did not answer and a peer outside the testnet look like, and the bounds that
/// hold whatever the views contain. Pure values, no sockets.
@Suite struct MeshGraphTests {
    static func view(_ ip: String, _ sessions: [(String, Bool)]) -> MeshView {
        MeshView(
            ip: ip, address: "\(ip):7071",
            sessions: sessions.map { MeshView.Session(ip: $0.0, address: "\($0.0):7071", outbound: $0.1) })
    }

    static func sibling(_ debug: String, _ view: MeshView) -> MeshGraph.Sibling {
        MeshGraph.Sibling(debug: try! SocketAddress(parsing: debug), view: .success(view))
    }

    static func edges(_ graph: MeshGraph) -> [String] {
        graph.edges.map { "\($0.from)>\($0.to) seen by \($0.seenBy.joined(separator: ","))" }
    }

    @Test func threeNodeMesh_eachSessionIsOneEdge_fromTheDialer_seenByBothEnds() {
        // 10.0.0.3 dialed both others, 10.0.0.2 dialed 10.0.0.1 (the higher IP dials).
        let own = Self.view("10.0.0.1", [("10.0.0.2", false), ("10.0.0.3", false)])
        let two = Self.view("10.0.0.2", [("10.0.0.1", true), ("10.0.0.3", false)])
        let three = Self.view("10.0.0.3", [("10.0.0.1", true), ("10.0.0.2", true)])
        let graph = MeshGraph(
            own: own, siblings: [Self.sibling("10.0.0.3:7070", three), Self.sibling("10.0.0.2:7070", two)])
        #expect(graph.nodes.map(\.ip) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        #expect(graph.nodes.map(\.kind) == [.this, .sibling, .sibling])
        #expect(graph.nodes.map(\.reachable) == [nil, true, true])
        #expect(
            Self.edges(graph) == [
                "10.0.0.2>10.0.0.1 seen by 10.0.0.1,10.0.0.2", "10.0.0.3>10.0.0.1 seen by 10.0.0.1,10.0.0.3",
                "10.0.0.3>10.0.0.2 seen by 10.0.0.2,10.0.0.3",
            ])
        #expect(!graph.truncated)
    }

    @Test func plainNode_isItselfAndItsPeers_asOutsidePeers() {
        let graph = MeshGraph(own: Self.view("10.0.0.1", [("203.0.113.9", true), ("10.0.0.7", false)]), siblings: [])
        #expect(graph.nodes.map(\.ip) == ["10.0.0.1", "10.0.0.7", "203.0.113.9"])
        #expect(graph.nodes.map(\.kind) == [.this, .outside, .outside])
        #expect(Self.edges(graph) == ["10.0.0.1>203.0.113.9 seen by 10.0.0.1", "10.0.0.7>10.0.0.1 seen by 10.0.0.1"])
        let json = graph.json
        #expect(json["scope"]?.stringValue == "mesh" && json["siblings"]?.intValue == 0)
    }

    @Test func siblingThatDidNotAnswer_isShownByItsDebugIP_asUnreachable_withWhy() {
        let own = Self.view("10.0.0.1", [("10.0.0.2", false)])
        let down = MeshGraph.Sibling(
            debug: try! SocketAddress(parsing: "10.0.0.2:7070"),
            view: .failure(MeshFetchError(.timedOut, "no answer within 1000 ms")))
        let graph = MeshGraph(own: own, siblings: [down])
        let node = graph.nodes.first { $0.ip == "10.0.0.2" }
        #expect(node?.kind == .sibling && node?.reachable == false && node?.error == "no answer within 1000 ms")
        #expect(node?.address == "10.0.0.2:7071")  // learned from this node's session with it
        #expect(graph.json["unreachable"]?.intValue == 1)
        #expect(Self.edges(graph) == ["10.0.0.2>10.0.0.1 seen by 10.0.0.1"])
    }

    @Test func peersOutsideTheTestnet_areOutside_evenWhenASiblingReportsThem() {
        let two = Self.view("10.0.0.2", [("10.0.0.1", true), ("198.51.100.4", true)])
        let graph = MeshGraph(
            own: Self.view("10.0.0.1", [("10.0.0.2", false)]), siblings: [Self.sibling("10.0.0.2:7070", two)])
        #expect(graph.nodes.map(\.kind) == [.this, .sibling, .outside])
        #expect(graph.nodes.last?.ip == "198.51.100.4")
    }

    @Test func siblingAnsweringAsThisNode_isNotASecondNode() {
        let graph = MeshGraph(
            own: Self.view("10.0.0.1", []), siblings: [Self.sibling("10.0.0.1:7070", Self.view("10.0.0.1", []))])
        #expect(graph.nodes.count == 1)
    }

    @Test func bothDirectionsAtOnce_areTwoEdges() {
        // A duplicate being settled: each side reports its own dial for a moment.
        let two = Self.view("10.0.0.2", [("10.0.0.1", true)])
        let graph = MeshGraph(
            own: Self.view("10.0.0.1", [("10.0.0.2", true)]), siblings: [Self.sibling("10.0.0.2:7070", two)])
        #expect(Self.edges(graph) == ["10.0.0.1>10.0.0.2 seen by 10.0.0.1", "10.0.0.2>10.0.0.1 seen by 10.0.0.2"])
    }

    @Test func hugeViews_areCutAtTheGraphsBounds_andSaySo() {
        // 64 siblings, each claiming 1,024 outside peers: far past what a page can draw.
        let siblings = (0..<64).map { index in
            Self.sibling(
                "10.1.0.\(index + 1):7070",
                Self.view(
                    "10.1.0.\(index + 1)",
                    (0..<1024).map { ("10.\(2 + index).\($0 / 256).\($0 % 256)", index % 2 == 0) }))
        }
        let graph = MeshGraph(own: Self.view("10.0.0.1", []), siblings: siblings)
        #expect(graph.nodes.count <= MeshGraph.maximumNodes)
        #expect(graph.edges.count <= MeshGraph.maximumEdges)
        #expect(graph.truncated)
        #expect(graph.nodes.filter { $0.kind == .sibling }.count == 64)  // members come first
    }

    // MARK: - A sibling's answer, read

    static func parse(_ text: String) throws -> MeshView {
        try MeshView(parsing: try JSONValue.parse(Array(text.utf8)))
    }

    @Test func siblingsOwnAnswer_roundTrips() throws {
        let original = Self.view("10.0.0.2", [("10.0.0.1", true), ("10.0.0.3", false)])
        let json = MeshGraph(own: original, siblings: [], local: true).json
        #expect(json["scope"]?.stringValue == "local")
        let read = try MeshView(parsing: json)
        #expect(read.ip == "10.0.0.2" && read.address == "10.0.0.2:7071")
        #expect(read.sessions == original.sessions.sorted { MeshGraph.less($0.ip, $1.ip) })
    }

    @Test func siblingsAnswer_keepsOnlyItsOwnWellFormedSessions() throws {
        let view = try Self.parse(
            """
            {"self": "10.0.0.2", "nodes": [{"ip": "10.0.0.1", "addr": "<b>x</b>"}, {"ip": "::ffff:10.0.0.3", "addr": "10.0.0.3:7071"}],
             "edges": [{"from": "10.0.0.2", "to": "10.0.0.1"}, {"from": "10.0.0.5", "to": "10.0.0.6"},
                       {"from": "not an ip", "to": "10.0.0.2"}, {"from": "10.0.0.2", "to": "10.0.0.2"},
                       {"from": 7, "to": "10.0.0.2"}, {"from": "10.0.0.3", "to": "10.0.0.2"},
                       {"from": "10.0.0.2", "to": "10.0.0.1"}]}
            """)
        // Sessions of others are not its to report; junk is dropped; a mapped IPv6 address is its IPv4.
        #expect(
            view.sessions == [
                MeshView.Session(ip: "10.0.0.1", address: nil, outbound: true),
                MeshView.Session(ip: "10.0.0.3", address: "10.0.0.3:7071", outbound: false),
            ])
    }

    @Test func garbageAnswers_areRefusedWithWhy() {
        for text in [
            "[]", "\"x\"", "{}", "{\"self\": \"x\", \"nodes\": [], \"edges\": []}", "{\"self\": \"10.0.0.1\"}",
            "{\"self\": \"10.0.0.1\", \"nodes\": {}, \"edges\": []}",
        ] {
            #expect(throws: MeshView.Malformed.self, "\(text)") { try Self.parse(text) }
        }
    }

    @Test func siblingClaimingTooManySessions_isCutAtTheBound() throws {
        let edges = (0..<300).map { "{\"from\": \"10.0.0.1\", \"to\": \"10.1.\($0 / 250).\($0 % 250)\"}" }
        let text = "{\"self\": \"10.0.0.1\", \"nodes\": [], \"edges\": [\(edges.joined(separator: ","))]}"
        let view = try MeshView(parsing: try JSONValue.parse(Array(text.utf8)), maximumPeers: 100)
        #expect(view.sessions.count == 100 && view.truncated)
    }
}
