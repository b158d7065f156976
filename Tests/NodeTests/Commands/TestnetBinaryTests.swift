import Foundation
import Testing

@testable import Node
@testable import Wire

/// `meshnode testnet` as an operator runs it: the mesh forms at once, and stopping it (or
/// killing it outright) leaves no node running.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct TestnetBinaryTests {
    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "meshnode-testnet-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Processes whose command line mentions `text` (the testnet's unique data dir).
    static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return nil }
            return String(decoding: data, as: UTF8.self).contains(text) ? pid : nil
        }
    }

    /// Connected peers per node, from each debug endpoint (`-1` when one does not answer).
    static func peerCounts(_ debugAddresses: [SocketAddress]) async -> [Int] {
        var counts: [Int] = []
        for address in debugAddresses {
            guard let (_, body) = try? await http(address, "/api/p2p/debug"), let json = try? jsonObject(body) else {
                counts.append(-1)
                continue
            }
            counts.append((json["connected_peers"] as? [Any])?.count ?? -1)
        }
        return counts
    }

    @Test func threeNodes_formTheFullMesh_andSIGTERMStopsEveryNode() async throws {
        try await withChildProcesses {
            let dir = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let testnet = try NodeProcess(["testnet", "--nodes", "3", "--base-ip", "127.0.63.1", "--data-dir", dir])
            let debug = (1...3).map { address("127.0.63.\($0):7070") }
            let meshed = await waitFor(.seconds(30)) { await Self.peerCounts(debug) == [2, 2, 2] }
            let counts = await Self.peerCounts(debug)
            #expect(meshed, "peers per node: \(counts); log: \(testnet.log)")
            #expect(Self.processes(mentioning: dir).count == 4)  // the testnet and its three nodes
            for node in 1...3 {
                let directory = "\(dir)/node\(node)"
                #expect(FileManager.default.fileExists(atPath: directory + "/node.log"))
                #expect(Posix.fileMode(directory + "/.redact-key") == 0o600)
            }
            // SIGTERM to the testnet alone (NodeProcess.stop would also signal its first child).
            kill(testnet.process.processIdentifier, SIGTERM)
            #expect(await waitFor(.seconds(10)) { !testnet.process.isRunning })
            testnet.stop(removingLog: false)
            #expect(testnet.process.terminationStatus == 0, "\(testnet.log)")
            // The testnet reaps its nodes before it exits: nothing is left the moment it is gone.
            #expect(Self.processes(mentioning: dir).isEmpty)
            // Each node shut down cleanly (peers told, book saved).
            for node in 1...3 {
                let log = (try? String(contentsOfFile: "\(dir)/node\(node)/node.log", encoding: .utf8)) ?? ""
                #expect(log.contains("\"node.stopped\""), "node \(node): \(log.suffix(500))")
                // Redacted, yet correlatable: the tag of each peer that connected is on the line
                // that says it disconnected, and the two peers' tags differ.
                let lines = log.split(separator: "\n")
                func tags(_ event: String) -> Set<String> {
                    Set(
                        lines.filter { $0.contains("\"event\":\"\(event)\"") }.compactMap { line in
                            line.split(separator: "#").dropFirst().first.map { String($0.prefix(6)) }
                        })
                }
                let connected = tags("peer.connected")
                #expect(connected.count == 2, "node \(node): \(log.suffix(800))")
                #expect(connected == tags("peer.disconnected"), "node \(node): \(log.suffix(800))")
                #expect(!log.contains("\"peer\":\"127.0.63."), "node \(node) logged a whole peer IP")
            }
        }
    }

    /// `GET /api/p2p/mesh` of `address`: "from>to" of each edge seen by both its ends, each node
    /// as "ip kind reachable", and each error given for a node.
    static func mesh(_ address: SocketAddress) async -> (edges: [String], nodes: [String], errors: [String])? {
        guard let (status, body) = try? await http(address, "/api/p2p/mesh"), status == 200,
            let json = try? jsonObject(body), let edges = json["edges"] as? [[String: Any]],
            let nodes = json["nodes"] as? [[String: Any]]
        else { return nil }
        return (
            edges.filter { ($0["seen_by"] as? [String])?.count == 2 }.map { "\($0["from"] ?? "")>\($0["to"] ?? "")" },
            nodes.map { "\($0["ip"] ?? "") \($0["kind"] ?? "") \(($0["reachable"] as? Bool).map(String.init) ?? "-")" },
            nodes.compactMap { $0["error"] as? String }
        )
    }

    @Test func threeNodes_everyNodesMeshRoute_showsTheWholeTestnet_andAFrozenNodeAsNotAnswering() async throws {
        try await withChildProcesses {
            let dir = Self.temporaryDirectory()
            let output = dir + ".out"
            defer {
                try? FileManager.default.removeItem(atPath: dir)
                try? FileManager.default.removeItem(atPath: output)
            }
            // What the operator reads on the terminal goes to `output`.
            let testnet = try NodeProcess(
                ["testnet", "--nodes", "3", "--base-ip", "127.82.0.1", "--data-dir", dir],
                wrapper: ["/bin/sh", "-c", "exec \"$0\" \"$@\" > '\(output)'"])
            defer { testnet.stop() }
            let printed: @Sendable () -> String = { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
            #expect(await waitFor(.seconds(30)) { printed().contains("\nready: full mesh") }, "\(printed())")
            #expect(printed().contains("\ndashboard: http://127.82.0.1:7070/ "), "\(printed())")
            let debug = (1...3).map { address("127.82.0.\($0):7070") }
            // The higher IP dials; each session is reported by both of its ends.
            let edges = ["127.82.0.2>127.82.0.1", "127.82.0.3>127.82.0.1", "127.82.0.3>127.82.0.2"]
            for (index, endpoint) in debug.enumerated() {
                // A sibling's view can lag by the cache lifetime (1 s) behind a session just made.
                let whole = await waitFor(.seconds(10)) { await Self.mesh(endpoint)?.edges == edges }
                let mesh = await Self.mesh(endpoint)
                #expect(whole, "node \(index + 1): \(String(describing: mesh))")
                // This node first, then its siblings in IP order.
                let kinds =
                    ["127.82.0.\(index + 1) self -"]
                    + (1...3).filter { $0 != index + 1 }.map { "127.82.0.\($0) sibling true" }
                #expect(mesh?.nodes == kinds, "node \(index + 1)")
            }
            // Node 3 freezes (SIGSTOP): its sockets stay open, nothing answers. Node 1 still
            // answers within its 1 s deadline per sibling, and draws node 3 as not answering.
            let third = Self.processes(mentioning: dir).filter { pid in
                let line = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                return line.contains("--listen\u{0}127.82.0.3:7071")
            }
            #expect(third.count == 1)
            for pid in third { kill(pid, SIGSTOP) }
            var slowest: Duration = .zero
            let shown = await waitFor(.seconds(10)) {
                await Self.mesh(debug[0])?.nodes.contains("127.82.0.3 sibling false") == true
            }
            for _ in 0..<3 {
                let start = ContinuousClock.now
                _ = await Self.mesh(debug[0])
                slowest = max(slowest, ContinuousClock.now - start)
            }
            let frozen = await Self.mesh(debug[0])
            for pid in third { kill(pid, SIGCONT) }
            #expect(shown, "\(String(describing: frozen))")
            #expect(frozen?.errors == ["no answer within 1000 ms"])
            // Only node 1 and node 2 can still vouch for their session.
            #expect(frozen?.edges == ["127.82.0.2>127.82.0.1"])
            #expect(slowest < .seconds(3), "the route waited \(slowest) on a frozen sibling")
            // Back: drawn as answering again; the log says each change once.
            #expect(await waitFor(.seconds(10)) { await Self.mesh(debug[0])?.edges == edges })
            let log = (try? String(contentsOfFile: "\(dir)/node1/node.log", encoding: .utf8)) ?? ""
            let lines = log.split(separator: "\n").filter { $0.contains("\"event\":\"mesh.sibling_") }
            #expect(lines.count == 2, "\(lines)")
            #expect(
                lines.first?.contains("\"event\":\"mesh.sibling_unreachable\",\"sibling\":\"127.82.0.3:7070\"") == true)
            #expect(lines.last?.contains("\"event\":\"mesh.sibling_reachable\"") == true)
        }
    }

    @Test func testnetKilledOutright_itsNodesStopToo() async throws {
        try await withChildProcesses {
            let dir = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let testnet = try NodeProcess(["testnet", "--nodes", "2", "--base-ip", "127.0.64.1", "--data-dir", dir])
            let debug = (1...2).map { address("127.0.64.\($0):7070") }
            #expect(await waitFor(.seconds(30)) { await Self.peerCounts(debug) == [1, 1] })
            #expect(Self.processes(mentioning: dir).count == 3)
            kill(testnet.process.processIdentifier, SIGKILL)
            // The kernel sends each node SIGTERM (parent-death signal): they stop gracefully.
            let gone = await waitFor(.seconds(10)) { Self.processes(mentioning: dir).isEmpty }
            #expect(gone, "left running: \(Self.processes(mentioning: dir))")
            testnet.stop()
        }
    }
}
