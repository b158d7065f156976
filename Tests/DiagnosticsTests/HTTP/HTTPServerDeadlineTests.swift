import Testing

@testable import Diagnostics
@testable import Wire

/// The server's deadlines are reactor timers on the reactor's clock: with a manual clock they
/// are tested by advancing time, not by waiting it out (DESIGN.md, "Time is injected").
@Suite struct HTTPServerDeadlineTests {
    static let request = Array("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)

    /// Reads until the response's body ("ok") has arrived; nil if the server closed first.
    static func response(_ stream: ByteStream) async throws -> String? {
        var received: [UInt8] = []
        while !String(decoding: received, as: UTF8.self).hasSuffix("\r\n\r\nok") {
            guard let bytes = try await stream.receive() else { return nil }
            received += bytes
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func idleKeepAliveConnection_isClosedAtTheIdleTimeout_notBefore() async throws {
        try await Reactor.withReactor(name: "http-manual-clock", clock: ManualClock()) { reactor in
            let listener = try ByteListener(
                bindingTo: SocketAddress(ip: IPAddress(parsing: "127.0.0.1")!, port: 0), reactor: reactor)
            let server = HTTPServer(listener: listener) { _ in
                HTTPResponse(status: 200, contentType: "text/plain", body: Array("ok".utf8))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask(executorPreference: reactor) { await server.run() }
                // The client on the reactor too, as the node's own tasks are: every step below
                // happens in the loop's order, on its thread.
                group.addTask(executorPreference: reactor) {
                    let client = try await ByteStream.connect(
                        to: listener.localAddress, timeout: .seconds(5), reactor: reactor)
                    try await client.write(Self.request)
                    #expect(try await Self.response(client)?.hasPrefix("HTTP/1.1 200") == true)
                    // Idle for just under the timeout: still served.
                    await reactor.advanceClock(by: server.idleTimeout - .milliseconds(1))
                    try await client.write(Self.request)
                    #expect(try await Self.response(client) != nil, "closed before the idle timeout")
                    // Idle for the whole timeout (counted from the last answer): closed.
                    await reactor.advanceClock(by: server.idleTimeout)
                    #expect(try await client.receive() == nil, "still open after the idle timeout")
                    await client.close()
                    await listener.close()
                }
                try await group.waitForAll()
            }
        }
    }
}
