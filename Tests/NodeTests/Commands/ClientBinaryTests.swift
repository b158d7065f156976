import Foundation
import Testing

@testable import Wire

/// The `meshnode` client commands, run as an operator runs them, against a real node's
/// debug endpoint and against nothing at all.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct ClientBinaryTests {
    static var binary: String { NodeProcess.binary!.path }

    @Test func statusAndDiagnose_readARunningNode() async throws {
        try await withChildProcesses {
            let dir = NSTemporaryDirectory() + "meshnode-client-\(UInt32.random(in: 0...UInt32.max))"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let node = try NodeProcess([
                "run", "--listen", "127.0.63.1:7071", "--debug-listen", "127.0.63.1:7070", "--lan", "--tick", "0.2",
                "--data-dir", dir, "--peer", "127.0.63.2:7071",
            ])
            defer { node.stop() }
            #expect(await waitFor { (try? await http(address("127.0.63.1:7070"), "/health").0) == 200 })
            let url = "http://127.0.63.1:7070"
            // The refused dial to the --peer shows up once the first cycle has run.
            _ = await waitFor {
                (try? await runTool(Self.binary, ["status", "--debug-url", url]))?.1.contains("connection_refused")
                    == true
            }
            let status = try await runTool(Self.binary, ["status", "--debug-url", url])
            #expect(status.0 == 0, "\(status)")
            #expect(status.1.contains("Peers: 0 connected") && status.1.contains("Peer book: 1 known"), "\(status)")
            #expect(status.1.contains("127.0.63.2:7071") && status.1.contains("direct"), "\(status)")
            let diagnose = try await runTool(Self.binary, ["diagnose", "--debug-url", url + "/"])
            #expect(diagnose.0 == 0 && diagnose.1.contains("dials refused"), "\(diagnose)")
        }
    }

    @Test func nothingListening_oneLineAndStatusOne() async throws {
        try await withChildProcesses {
            for command in [["status"], ["diagnose"], ["bans"]] {
                let (status, output, errors) = try await runTool(
                    Self.binary, command + ["--debug-url", "http://127.0.63.9:7070"], timeout: .seconds(20))
                #expect(status == 1, "\(command): \(output) \(errors)")
                let text = (output + errors).split(separator: "\n")
                #expect(text.count == 1 && text[0].contains("is the node running"), "\(command): \(text)")
            }
        }
    }

    @Test func controlCommand_withoutCookie_namesTheFileItLookedFor() async throws {
        try await withChildProcesses {
            let (status, _, errors) = try await runTool(
                Self.binary, ["ban", "10.0.0.1", "--listen", "127.0.63.3:7071", "--debug-url", "http://127.0.63.9:1"])
            #expect(status == 1)
            #expect(errors.contains("./meshnode_data_127.0.63.3_7071/.cookie"), "\(errors)")
        }
    }
}
