import Foundation
import Testing

@testable import Wire

/// The real node under `prlimit --nofile=64`, offered 100 inbound connections: it does not
/// spin while its descriptor table is full, says so once, and accepts again once fds free.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct DescriptorExhaustionTests {
    static let prlimit = "/usr/bin/prlimit"

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: DescriptorExhaustionTests.prlimit), "needs prlimit"))
    func fullDescriptorTable_doesNotSpin_logsOnce_andAcceptingResumes() async throws {
        try await withChildProcesses {
            let (dir, peerDir) = (BinaryTests.temporaryDirectory(), BinaryTests.temporaryDirectory())
            defer { for path in [dir, peerDir] { try? FileManager.default.removeItem(atPath: path) } }
            // A long handshake deadline: the idle connections hold their fds until we close them.
            let node = try NodeProcess(
                [
                    "run", "--listen", "127.0.46.1:7071", "--debug-listen", "127.0.46.1:7070", "--lan", "--tick", "0.5",
                    "--max-peers", "500", "--handshake-timeout", "30", "--data-dir", dir,
                ], wrapper: [Self.prlimit, "--nofile=64"])
            defer { node.stop() }
            #expect(await waitFor { (try? await http(address("127.0.46.1:7070"), "/health").0) == 200 })

            var clients: [Connection] = []
            for index in 0..<100 {
                let source = IPAddress.v4(0x7F00_2E00 | UInt32(10 + index))  // 127.0.46.10 …
                if let client = try? await Connection.connect(
                    to: address("127.0.46.1:7071"), from: source, timeout: .seconds(2))
                {
                    clients.append(client)
                }
            }
            #expect(clients.count == 100, "the listen backlog should take every connection")
            #expect(await waitFor(.seconds(5)) { !node.events("listener.exhausted").isEmpty }, "\(node.log)")

            // Two seconds with a full table and a listener still readable: no busy loop.
            let cpuBefore = node.cpuSeconds
            try await Task.sleep(for: .seconds(2))
            let cpu = node.cpuSeconds - cpuBefore
            #expect(cpu < 0.2, "the node used \(cpu) s of CPU in 2 s while exhausted")
            #expect(node.events("listener.exhausted").count == 1)

            // Free the descriptors: the node accepts again, and a real peer joins.
            for client in clients { await client.close() }
            #expect(await waitFor { !node.events("listener.recovered").isEmpty }, "\(node.log)")
            let peer = try NodeProcess([
                "run", "--listen", "127.0.46.2:7071", "--debug-listen", "off", "--lan", "--tick", "0.2",
                "--data-dir", peerDir, "--peer", "127.0.46.1:7071",
            ])
            defer { peer.stop() }
            #expect(await waitFor { !node.events("peer.connected").isEmpty }, "\(node.log)")
            #expect(node.process.isRunning)
            print("exhaustion: \(clients.count) connections, CPU \(cpu) s over 2 s while exhausted")
        }
    }
}
