import Foundation
import Testing

@testable import Wire

/// A client that resets its connection (RST) while the endpoint waits for the rest of its
/// request: the read fails with ECONNRESET. The node crashed on it (the waiting read was
/// resumed twice), within 6 such connections; anyone who reaches the endpoint can do it.
@Suite(.serialized) struct DebugEndpointResetTests {
    @Test func resetsMidRequest_leaveTheNodeServing() async throws {
        try await withChildProcesses {
            let dir = BinaryTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let node = try NodeProcess([
                "run", "--listen", "127.0.98.1:7071", "--debug-listen", "127.0.98.1:7070", "--lan", "--data-dir", dir,
            ])
            defer { node.stop() }
            let debug = address("127.0.98.1:7070")
            #expect(await waitFor(.seconds(20)) { (try? await http(debug, "/health").0) == 200 }, "log: \(node.log)")
            for _ in 0..<50 {
                try resetAfterSending(Array("GET /health HTTP/1.1\r\nHost: 127.0.98.1:7070\r\n".utf8), to: "127.0.98.1")
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await waitFor { (try? await http(debug, "/health").0) == 200 })
            #expect(node.process.isRunning, "log: \(node.log.suffix(2_000))")
        }
    }

    /// Connects to `ip`:7070, sends `bytes` (a request's first lines, never finished), waits
    /// for the server to read them, and closes with SO_LINGER 0, which sends RST.
    func resetAfterSending(_ bytes: [UInt8], to ip: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = UInt16(7070).bigEndian
        try #require(inet_pton(AF_INET, ip, &target.sin_addr) == 1)
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        try #require(send(fd, bytes, bytes.count, 0) == bytes.count)
        usleep(20_000)  // the server reads the partial request and waits for the rest
        var reset = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
    }
}
