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
