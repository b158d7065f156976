import Foundation
import Testing

@testable import Node
@testable import Wire

/// The real `meshnode` binary, driven as the web page drove it: every request a page
/// can send is refused, and no dial happens.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil && hasTool("curl"))) struct DebugEndpointAccessTests {
    @Test func aWebPageCannotDriveTheNode_theCookieCan() async throws {
        try await withChildProcesses {
            let dir = NSTemporaryDirectory() + "meshnode-access-\(UInt32.random(in: 0...UInt32.max))"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let node = try NodeProcess([
                "run", "--listen", "127.0.47.1:7071", "--debug-listen", "127.0.47.1:7070", "--lan", "--data-dir", dir,
            ])
            defer { node.stop() }
            let url = "http://127.0.47.1:7070/api/p2p/connect"
            #expect(await waitFor { (try? await http(address("127.0.47.1:7070"), "/health").0) == 200 })
            func status(_ arguments: [String]) async throws -> String {
                try await runTool(
                    ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5"] + arguments
                )
                .1
            }
            let body = "{\"peer_addr\":\"127.0.47.9:7071\"}"
            // What the issue saw answered 200 (and dial): a cross-site text/plain POST, a
            // form POST, a DNS-rebound Host.
            #expect(
                try await status([
                    "-H", "Origin: https://evil.example", "-H", "Content-Type: text/plain", "-d", body, url,
                ]) == "403")
            #expect(try await status(["-d", body, url]) == "401")
            #expect(
                try await status([
                    "-H", "Host: rebind.evil.example", "-H", "Content-Type: application/json", "-d", body, url,
                ]) == "421")
            let token = try #require(cookie(in: dir))
            #expect(try await status(["-H", "Authorization: Bearer \(token)", "-d", body, url]) == "415")
            #expect(
                try await status([
                    "-H", "Authorization: Bearer \(String(token.reversed()))", "-H", "Content-Type: application/json",
                    "-d", body, url,
                ]) == "401")
            #expect(!node.log.contains("operator.connect") && !node.log.contains("dial.failed"), "\(node.log)")
            // The operator, with the cookie: a one-shot dial that does not stay in the book.
            #expect(
                try await status([
                    "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json", "-d", body, url,
                ]) == "200")
            #expect(await waitFor { node.log.contains("operator.connect") })
            #expect(Posix.fileMode(dir + "/.cookie") == 0o600)
            node.stop(removingLog: false)
            #expect((try? Posix.readFile(dir + "/.cookie")) == nil, "the cookie outlived the node")
            let book = String(decoding: (try? Posix.readFile(dir + "/peers.json")) ?? [], as: UTF8.self)
            #expect(!book.contains("127.0.47.9"), "\(book)")
        }
    }
}
