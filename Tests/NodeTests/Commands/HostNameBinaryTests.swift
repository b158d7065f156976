import Foundation
import Testing

@testable import Node
@testable import Wire

/// `--peer` takes a host name, as seed 003's examples write it: resolved off the reactor at
/// start and dialed; a name that does not resolve is logged with the resolver's reason and
/// retried, and the node runs on.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct HostNameBinaryTests {
    @Test func peerLocalhost_isResolvedAndDialed_unresolvableNameIsLoggedNotFatal() async throws {
        try await withChildProcesses {
            let base = NSTemporaryDirectory() + "meshnode-names-\(UInt32.random(in: 0...UInt32.max))"
            defer { try? FileManager.default.removeItem(atPath: base) }
            let port = Int.random(in: 20_000...29_999)
            let listener = try NodeProcess([
                "run", "--listen", "127.0.0.1:\(port)", "--debug-listen", "off", "--lan", "--tick", "0.2",
                "--data-dir", base + "/a",
            ])
            defer { listener.stop() }
            #expect(await waitFor { listener.log.contains("node.started") })
            let dialer = try NodeProcess([
                "run", "--listen", "127.0.66.2:7071", "--debug-listen", "127.0.66.2:7070", "--lan", "--tick", "0.2",
                "--data-dir", base + "/b", "--peer", "localhost:\(port)", "--peer", "no-such-host.invalid:7071",
                "--log-format", "json",
            ])
            defer { dialer.stop() }
            let debug = address("127.0.66.2:7070")
            let connected = await waitFor {
                guard let (_, body) = try? await http(debug, "/api/p2p/debug"), let json = try? jsonObject(body) else {
                    return false
                }
                let peers = json["connected_peers"] as? [[String: Any]] ?? []
                return peers.contains { $0["addr"] as? String == "127.0.0.1:\(port)" }
            }
            #expect(connected, "\(dialer.log)")
            #expect(dialer.process.isRunning)
            let unresolved = dialer.log.split(separator: "\n").first { $0.contains("\"peer.unresolved\"") }
            #expect(unresolved?.contains("no-such-host.invalid:7071") == true, "\(dialer.log)")
            #expect(unresolved?.contains("\"error\":") == true)
        }
    }
}
