import Foundation
import Testing

@testable import Wire

/// `meshnode why IP` against a real node: the decisions about a `--peer` that does not
/// answer, and one line with status 1 for a peer the node never heard of.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct WhyBinaryTests {
    static var binary: String { NodeProcess.binary!.path }

    @Test func why_showsTheDialsOfAPeerThatRefuses_andRefusesAnUnknownPeer() async throws {
        try await withChildProcesses {
            let dir = NSTemporaryDirectory() + "meshnode-why-\(UInt32.random(in: 0...UInt32.max))"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let node = try NodeProcess([
                "run", "--listen", "127.0.71.1:7071", "--debug-listen", "127.0.71.1:7070", "--lan", "--tick", "0.2",
                "--data-dir", dir, "--peer", "127.0.71.2:7071",
            ])
            defer { node.stop() }
            #expect(await waitFor { (try? await http(address("127.0.71.1:7070"), "/health").0) == 200 })
            let url = "http://127.0.71.1:7070"
            // Nothing listens on the --peer: its first dial is refused.
            _ = await waitFor {
                (try? await runTool(Self.binary, ["why", "127.0.71.2", "--debug-url", url]))?.1.contains(
                    "dial failed: connection_refused") == true
            }
            let (status, output, errors) = try await runTool(Self.binary, ["why", "127.0.71.2", "--debug-url", url])
            #expect(status == 0, "\(output) \(errors)")
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines.first == "127.0.71.2 (listens on 127.0.71.2:7071, known from direct)", "\(lines)")
            #expect(lines.contains("  now: not connected"), "\(lines)")
            let dialed = lines.firstIndex { $0.hasSuffix("dialed (source direct)") }
            let refused = lines.firstIndex { $0.contains("dial failed: connection_refused; cooldown until ") }
            #expect(dialed != nil && refused != nil && dialed! < refused!, "dialed, then refused: \(lines)")

            let unknown = try await runTool(Self.binary, ["why", "127.0.71.9", "--debug-url", url])
            #expect(unknown.0 == 1, "\(unknown)")
            #expect(unknown.1.isEmpty && unknown.2.contains("knows nothing of 127.0.71.9"), "\(unknown)")
        }
    }
}
