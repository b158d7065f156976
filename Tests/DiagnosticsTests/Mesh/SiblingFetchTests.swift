import Testing

@testable import Diagnostics
@testable import Wire

/// A node reading a sibling's view: the sibling is another process, and what it sends may be
/// slow, huge or garbage. Real sockets on 127.81.0.1, a reactor on a manual clock: the deadline
/// is tested by moving the clock, not by waiting.
@Suite struct SiblingFetchTests {
    static let host = IPAddress(parsing: "127.81.0.1")!
    static let timeout: Duration = .seconds(1)
    static let maximumBytes = 64 << 10

    static let validBody = Array(
        MeshGraph(
            own: MeshView(
                ip: "127.81.0.9", address: "127.81.0.9:7071",
                sessions: [MeshView.Session(ip: "127.81.0.8", address: "127.81.0.8:7071", outbound: true)]),
            siblings: [], local: true
        ).json.render().utf8)

    static func answer(_ body: [UInt8], status: String = "200 OK") -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
            + body
    }

    /// Reads the request head; returns it as text ("" if the client went away first).
    static func request(_ stream: ByteStream) async -> String {
        var received: [UInt8] = []
        while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
            guard let bytes = try? await stream.receive() else { return "" }
            received += bytes
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Waits until the client has closed its side (or failed).
    static func drain(_ stream: ByteStream) async {
        while let bytes = try? await stream.receive(), !bytes.isEmpty {}
    }

    /// A sibling serving one connection as `serve` says, and the fetch's result.
    static func fetch(
        maximumBytes: Int = maximumBytes, _ serve: @escaping @Sendable (ByteStream, Reactor) async -> Void
    ) async throws -> Result<MeshView, MeshFetchError> {
        try await Reactor.withReactor(name: "mesh-fetch", clock: ManualClock()) { reactor in
            let listener = try ByteListener(bindingTo: SocketAddress(ip: host, port: 0), reactor: reactor)
            return await withTaskGroup(of: Result<MeshView, MeshFetchError>?.self) { group in
                group.addTask(executorPreference: reactor) {
                    if let stream = await listener.accept() {
                        await serve(stream, reactor)
                        await stream.close()
                    }
                    return nil
                }
                group.addTask(executorPreference: reactor) {
                    let result = await SiblingFetch.view(
                        from: listener.localAddress, timeout: timeout, maximumBytes: maximumBytes, reactor: reactor)
                    await listener.close()
                    return result
                }
                var result: Result<MeshView, MeshFetchError>?
                for await value in group where value != nil { result = value }
                return result ?? .failure(MeshFetchError(.malformed, "no result"))
            }
        }
    }

    @Test func wellFormedAnswer_isTheSiblingsView_askedForItsOwnViewOnly() async throws {
        let result = try await Self.fetch { stream, _ in
            let request = await Self.request(stream)
            // Its own view only (never the whole mesh: two nodes would ask each other), by
            // the Host its endpoint accepts.
            #expect(request.hasPrefix("GET /api/p2p/mesh?scope=local HTTP/1.1\r\n"))
            #expect(request.contains("\r\nHost: 127.81.0.1:\(stream.localAddress.port)\r\n"))
            try? await stream.write(Self.answer(Self.validBody))
        }
        let view = try result.get()
        #expect(view.ip == "127.81.0.9" && view.sessions.map(\.ip) == ["127.81.0.8"] && view.sessions[0].outbound)
    }

    @Test func answerJustBeforeTheDeadline_isTaken() async throws {
        let result = try await Self.fetch { stream, reactor in
            _ = await Self.request(stream)
            await reactor.advanceClock(by: Self.timeout - .milliseconds(1))
            try? await stream.write(Self.answer(Self.validBody))
        }
        #expect((try? result.get())?.ip == "127.81.0.9", "\(result)")
    }

    @Test func siblingThatNeverAnswers_failsAtTheDeadline() async throws {
        let result = try await Self.fetch { stream, reactor in
            _ = await Self.request(stream)
            await reactor.advanceClock(by: Self.timeout)
            await Self.drain(stream)  // the node hangs up on its own
        }
        guard case .failure(let error) = result else { throw MeshFetchError(.malformed, "\(result)") }
        #expect(error.kind == .timedOut && error.description == "no answer within 1000 ms")
    }

    @Test func siblingThatDripsAWholeAnswer_failsAtTheSameDeadline() async throws {
        // A valid answer in 20 pieces, 100 ms apart: each in time for a per-read timeout, the
        // whole in 2 s. The deadline is one for the whole exchange.
        let result = try await Self.fetch { stream, reactor in
            _ = await Self.request(stream)
            let answer = Self.answer(Self.validBody)
            let piece = answer.count / 20 + 1
            for start in stride(from: 0, to: answer.count, by: piece) {
                try? await stream.write(Array(answer[start..<min(start + piece, answer.count)]))
                await reactor.advanceClock(by: .milliseconds(100))
            }
            await Self.drain(stream)
        }
        guard case .failure(let error) = result else { throw MeshFetchError(.malformed, "\(result)") }
        #expect(error.kind == .timedOut)
    }

    @Test func garbage_isMalformed_notACrash() async throws {
        let answers: [(String, [UInt8], MeshFetchError.Kind)] = [
            ("not HTTP", Array("SSH-2.0-OpenSSH\r\n\r\n".utf8), .malformed),
            ("not JSON", Self.answer(Array("<html>hi</html>".utf8)), .malformed),
            ("JSON, not a view", Self.answer(Array("{\"peers\": []}".utf8)), .malformed),
            ("a 404", Self.answer(Array("{}".utf8), status: "404 Not Found"), .status),
            ("cut short", Array(Self.answer(Self.validBody).dropLast(10)), .malformed),
            ("binary", (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 37) }, .malformed),
        ]
        for (name, bytes, kind) in answers {
            let result = try await Self.fetch { stream, _ in
                _ = await Self.request(stream)
                try? await stream.write(bytes)
            }
            guard case .failure(let error) = result else {
                Issue.record("\(name): taken as a view: \(result)")
                continue
            }
            #expect(error.kind == kind, "\(name): \(error)")
        }
    }

    @Test func oversizedAnswer_isRefusedAtTheBound_declaredOrStreamed() async throws {
        let declared = try await Self.fetch { stream, _ in
            _ = await Self.request(stream)
            try? await stream.write(Array("HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n".utf8))
            await Self.drain(stream)
        }
        guard case .failure(let error) = declared else { throw MeshFetchError(.malformed, "\(declared)") }
        #expect(error.kind == .tooLarge, "\(error)")
        // No length: the body runs to the end of the connection, which never comes.
        let sent = LockedValue(0)
        let streamed = try await Self.fetch { stream, _ in
            _ = await Self.request(stream)
            var chunk = Array("HTTP/1.1 200 OK\r\n\r\n".utf8)
            while sent.withLock({ $0 }) < 16 << 20 {
                do {
                    try await stream.write(chunk)
                } catch {
                    return  // the node hung up
                }
                sent.withLock { $0 += chunk.count }
                chunk = [UInt8](repeating: UInt8(ascii: "["), count: 16 << 10)
            }
        }
        guard case .failure(let streamedError) = streamed else { throw MeshFetchError(.malformed, "\(streamed)") }
        #expect(streamedError.kind == .tooLarge, "\(streamedError)")
        #expect(sent.withLock { $0 } < 16 << 20, "the node read the whole 16 MiB")
    }

    @Test func nothingListening_isUnreachable_withTheReasonCode() async throws {
        try await Reactor.withReactor(name: "mesh-fetch", clock: ManualClock()) { reactor in
            let listener = try ByteListener(bindingTo: SocketAddress(ip: Self.host, port: 0), reactor: reactor)
            let address = listener.localAddress
            await listener.close()
            let result = await SiblingFetch.view(
                from: address, timeout: Self.timeout, maximumBytes: Self.maximumBytes, reactor: reactor)
            guard case .failure(let error) = result else { throw MeshFetchError(.malformed, "\(result)") }
            #expect(error.kind == .unreachable && error.description == "connection_refused")
        }
    }
}
