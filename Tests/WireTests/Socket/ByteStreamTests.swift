import Testing

@testable import Wire

extension IOSuite {
    /// A byte stream delivers bytes as sent (no framing), and its deadline is a reactor timer.
    @Suite struct ByteStreamTests {
        @Test func bytesArriveUnframed_andEndOfStreamIsNil() async throws {
            try await withTestReactor { reactor in
                let listener = try ByteListener(bindingTo: SocketAddress(ip: serverIP, port: 0), reactor: reactor)
                async let accepted = listener.accept()
                let client = try await ByteStream.connect(
                    to: listener.localAddress, from: clientIP, timeout: .seconds(2), reactor: reactor)
                let server = try #require(await accepted)
                #expect(server.remoteAddress.ip == clientIP)
                // Bytes that would be an oversized frame's length prefix mean nothing here.
                let payload: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF] + Array(repeating: 7, count: 200_000)
                async let sent: Void = client.write(payload)
                var received: [UInt8] = []
                while received.count < payload.count, let bytes = try await server.receive() { received += bytes }
                try await sent
                #expect(received == payload)
                await client.shutdownOutput()
                #expect(try await server.receive() == nil)
                await client.close()
                await server.close()
                await listener.close()
                #expect(await listener.accept() == nil)
            }
        }

        @Test func deadline_closesTheStream_andFailsTheWaitingReader() async throws {
            try await withTestReactor { reactor in
                let listener = try ByteListener(bindingTo: SocketAddress(ip: serverIP, port: 0), reactor: reactor)
                async let accepted = listener.accept()
                let client = try await ByteStream.connect(
                    to: listener.localAddress, timeout: .seconds(2), reactor: reactor)
                let server = try #require(await accepted)
                let start = Reactor.now()
                await server.setDeadline(at: start &+ Duration.milliseconds(100).nanoseconds)
                await #expect(throws: ByteStream.Failure.timedOut) { try await server.receive() }
                #expect(Reactor.now() - start >= Duration.milliseconds(100).nanoseconds)
                #expect(await server.isClosed)
                // The other end sees the close.
                #expect(try await client.receive() == nil)
                await client.close()
                await listener.close()
            }
        }

        @Test func connectToAClosedPort_failsWithTheErrno() async throws {
            try await withTestReactor { reactor in
                let target = SocketAddress(ip: serverIP, port: 1)
                await #expect(throws: ByteStream.Failure.self) {
                    _ = try await ByteStream.connect(to: target, timeout: .seconds(2), reactor: reactor)
                }
            }
        }
    }
}
