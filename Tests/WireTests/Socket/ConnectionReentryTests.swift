import Testing

@testable import Wire

extension IOSuite {
    /// A batch handler may send on, flush and close its own connection (a peer answering a
    /// ping, or hanging up on a bad message): what it asks for must not run inside the read
    /// path that called it, only once it returns (LoopIsolated.swift).
    @Suite struct ConnectionReentryTests {
        @Test func closeDuringDelivery_isSeenAtOnce_butTearsDownWhenTheHandlerReturns() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                let seen = LockedValue<[String]>([])
                let delivery = Task(executorPreference: reactor) {
                    try await server.deliverBatches { _ in
                        server.onLoop(()) { server, _ in
                            server.close()
                            let sendThrows = (try? server.send(frame: [1])) == nil
                            seen.withLock {
                                $0 = [
                                    "closed \(server.isClosed)", "send throws \(sendThrows)",
                                    "descriptor open \(server.fd >= 0)", "still delivering \(server.consumer != nil)",
                                ]
                            }
                        }
                        return .proceed
                    }
                }
                try await client.send(frame: [9])
                try await client.flush()
                await #expect(throws: ConnectionError.closed) { try await delivery.value }
                #expect(
                    seen.value == ["closed true", "send throws true", "descriptor open true", "still delivering true"])
                #expect(await server.fd == -1)
                await client.close()
                await listener.close()
            }
        }

        @Test func flushDuringDelivery_isSentWhenTheHandlerReturns() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                let bufferedInside = LockedValue(-1)
                let delivery = Task(executorPreference: reactor) {
                    try await server.deliverBatches { _ in
                        server.onLoop(()) { server, _ in
                            try? server.send(frame: [42])
                            server.shutdownOutputAfterFlush()
                            bufferedInside.withLock { $0 = server.bufferedBytes }
                        }
                        return .proceed
                    }
                }
                try await client.send(frame: [1])
                try await client.flush()
                #expect(try await client.readBodies() == [[42]])  // then the server's half-close
                #expect(bufferedInside.value == Frame.headerSize + 1)  // held while the handler ran
                delivery.cancel()
                _ = try? await delivery.value
                await client.close()
                await server.close()
                await listener.close()
            }
        }
    }

    /// Before a peer is known its frames are small: `restrictFrameSize`.
    @Suite struct FrameSizeRestrictionTests {
        static func frames(_ bodies: [[UInt8]]) -> [UInt8] {
            var bytes: [UInt8] = []
            for body in bodies { FrameEncoder.append(body, to: &bytes) }
            return bytes
        }

        @Test func restrictedConnection_refusesALargerLengthAtOnce_withNothingBuffered() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                await server.restrictFrameSize(to: 100)
                let length = UInt32(Frame.defaultMaximumSize - 1)
                try await client.sendRaw(withUnsafeBytes(of: length.bigEndian) { Array($0) })
                await #expect(throws: ConnectionError.frame(.oversized(length: length, maximum: 100))) {
                    _ = try await server.readBodies()
                }
                #expect(await server.partialBytes == 0)
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        @Test func largeFrameBehindOneThatLiftsTheRestriction_isDelivered() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                await server.restrictFrameSize(to: 100)
                let big = [UInt8](repeating: 5, count: 1_000)
                try await client.sendRaw(Self.frames([[1], big]))  // one write, most likely one read
                let bodies = LockedValue<[[UInt8]]>([])
                _ = try await server.deliverBatches { batch in
                    server.onLoop(()) { server, _ in server.liftFrameSizeRestriction() }
                    let count = bodies.withLock {
                        $0 += batch.map { Array($0.body) }
                        return $0.count
                    }
                    return count >= 2 ? .pause : .proceed
                }
                #expect(bodies.value == [[1], big])
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        @Test func largeFrameBehindOnesThatKeepTheRestriction_isRefused() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                await server.restrictFrameSize(to: 100)
                try await client.sendRaw(Self.frames([[1], [UInt8](repeating: 5, count: 1_000)]))
                let bodies = LockedValue<[[UInt8]]>([])
                await #expect(throws: ConnectionError.frame(.oversized(length: 1_000, maximum: 100))) {
                    _ = try await server.readBodies(into: bodies)
                }
                #expect(bodies.value == [[1]])
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        @Test func pausedDelivery_keepsTheRestOfTheBatch_forTheNextCall() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                try await client.sendRaw(Self.frames([[1], [2], [3]]))
                let first = LockedValue<[[UInt8]]>([])
                let end = try await server.deliverBatches { batch in
                    var frames = batch.makeIterator()
                    while let frame = frames.next() {
                        first.withLock { $0.append(Array(frame.body)) }
                        if frame.body.first == 1 { return .pauseKeeping(rest: frames) }
                    }
                    return .proceed
                }
                #expect(end == .paused)
                #expect(first.value == [[1]])
                #expect(try await server.readBodies(count: 2) == [[2], [3]])
                await client.close()
                await server.close()
                await listener.close()
            }
        }
    }
}
