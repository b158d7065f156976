import Testing

@testable import Wire

extension IOSuite {
    @Suite struct ConnectionTests {
        @Test func exchange10000FramesBothWays_inOrderAndIntact() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                #expect(server.remoteAddress.ip == clientIP)  // bind-before-connect chose the source
                #expect(client.localAddress.ip == clientIP)
                #expect(client.remoteAddress == listener.localAddress)
                let count = 10_000
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (sender, receiver, tag) in [(client, server, UInt8(1)), (server, client, UInt8(2))] {
                        group.addTask(executorPreference: reactor) {
                            for index in 0..<count {
                                try await sender.send(frame: Self.body(index: index, tag: tag))
                                if index % 100 == 0 { try await sender.waitUntilWritable() }
                            }
                            try await sender.flush()
                        }
                        group.addTask(executorPreference: reactor) {
                            let bodies = try await receiver.readBodies(count: count)
                            #expect(bodies.count == count)
                            #expect(bodies == (0..<count).map { Self.body(index: $0, tag: tag) })
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(await server.framesIn == count)
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        static func body(index: Int, tag: UInt8) -> [UInt8] {
            var bytes: [UInt8] = [tag]
            bytes.appendBigEndian(UInt32(index))
            bytes.append(contentsOf: repeatElement(UInt8(truncatingIfNeeded: index), count: index % 97))
            return bytes
        }

        @Test func ipv6Loopback_connectsAndExchanges() async throws {
            try await withTestReactor { reactor in
                let loopback = IPAddress(parsing: "::1")!
                let listener = try Listener(bindingTo: SocketAddress(ip: loopback, port: 0), reactor: reactor)
                let client = try await Connection.connect(
                    to: listener.localAddress, timeout: .seconds(2), reactor: reactor)
                let server = try #require(try await listener.accept())
                #expect(server.remoteAddress.ip == loopback)
                try await client.send(.getPeers)
                let bodies = try await server.readBodies(count: 1)
                #expect(try bodies.map { try Message.decode($0[...]) } == [.getPeers])
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        @Test func connectToClosedPort_isConnectionRefused() async throws {
            try await withTestReactor { reactor in
                let listener = try Listener(bindingTo: SocketAddress(ip: serverIP, port: 0), reactor: reactor)
                let address = listener.localAddress
                await listener.close()
                do {
                    _ = try await Connection.connect(
                        to: address, from: clientIP, timeout: .seconds(2), reactor: reactor)
                    Issue.record("connect to a closed port succeeded")
                } catch let error as ConnectionError {
                    #expect(error.reason == .connectionRefused)
                }
            }
        }

        @Test func connectWhereSYNsAreDropped_timesOutAtOurDeadline() async throws {
            try await withTestReactor { reactor in
                // A listener that never accepts, with a full backlog, drops further SYNs.
                let listener = try Listener(
                    bindingTo: SocketAddress(ip: serverIP, port: 0), backlog: 1, reactor: reactor)
                var held: [Connection] = []
                var timedOut = false
                let start = ContinuousClock.now
                for _ in 0..<8 where !timedOut {
                    do {
                        held.append(
                            try await Connection.connect(
                                to: listener.localAddress, from: clientIP, timeout: .milliseconds(200), reactor: reactor
                            ))
                    } catch let error as ConnectionError {
                        #expect(error.reason == .timeout)
                        timedOut = true
                    }
                }
                #expect(timedOut)
                #expect(ContinuousClock.now - start < .seconds(3))
                for connection in held { await connection.close() }
                await listener.close()
            }
        }

        @Test func cancellingAReader_resumesItPromptly() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                let reader = Task(executorPreference: reactor) { try await server.deliverBatches { _ in .proceed } }
                try await reactor.sleep(for: .milliseconds(50))
                let start = ContinuousClock.now
                reader.cancel()
                await #expect(throws: CancellationError.self) { try await reader.value }
                #expect(ContinuousClock.now - start < .milliseconds(500))
                // The connection still works after the cancelled read.
                try await client.send(frame: [9])
                #expect(try await server.readBodies(count: 1) == [[9]])
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        @Test func deliverBatches_handsOverInOrder_andEndsOnCancel() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                let bodies = LockedValue<[[UInt8]]>([])
                let (allThree, signal) = AsyncStream.makeStream(of: Void.self)
                let reader = Task(executorPreference: reactor) { () -> Bool in
                    do {
                        try await server.deliverBatches { batch in
                            #expect(reactor.isInLoop)  // straight from the loop thread
                            let count = bodies.withLock {
                                $0 += batch.map { Array($0.body) }
                                return $0.count
                            }
                            if count >= 3 { signal.yield() }
                            return .proceed
                        }
                    } catch is CancellationError {
                        return true
                    }
                    return false
                }
                for value: UInt8 in 1...3 { try await client.send(frame: [value]) }
                for await _ in allThree { break }  // woken by the handler, no polling
                let start = ContinuousClock.now
                reader.cancel()
                #expect(try await reader.value)
                #expect(ContinuousClock.now - start < .milliseconds(500))
                #expect(bodies.value == [[1], [2], [3]])
                // A task cancelled before it starts delivery gets CancellationError at once.
                let late = Task(executorPreference: reactor) { () -> Bool in
                    withUnsafeCurrentTask { $0?.cancel() }
                    do { try await server.deliverBatches { _ in .proceed } } catch is CancellationError {
                        return true
                    } catch {}
                    return false
                }
                #expect(await late.value)
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        @Test func deliverBatches_returnsWhenThePeerClosesCleanly_andThrowsWhatTheHandlerThrows() async throws {
            struct Stop: Error {}
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                let bodies = LockedValue<[[UInt8]]>([])
                let delivery = Task(executorPreference: reactor) {
                    try await server.deliverBatches { batch in
                        bodies.withLock { $0 += batch.map { Array($0.body) } }
                        return .proceed
                    }
                }
                try await client.send(frame: [7])
                try await client.flush()
                await client.close()
                #expect(try await delivery.value == .endOfStream)
                #expect(bodies.value == [[7]])
                await server.close()

                let (listener2, server2, client2) = try await makePair(on: reactor)
                try await client2.send(frame: [8])
                await #expect(throws: Stop.self) {
                    try await Task(executorPreference: reactor) {
                        try await server2.deliverBatches { _ in throw Stop() }
                    }.value
                }
                await client2.close()
                await server2.close()
                await listener2.close()
                await listener.close()
            }
        }

        @Test func peerClosingMidFrame_isTruncated() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                try await client.send(frame: [1, 2, 3])
                // A header announcing 100 bytes, then only 10 of them.
                try await client.sendRaw([0, 0, 0, 100] + Array(repeating: 7, count: 10))
                try await client.flush()
                await client.close()
                let frames = LockedValue<[[UInt8]]>([])
                await #expect(throws: ConnectionError.frame(.truncated(have: 14, need: 104))) {
                    _ = try await server.readBodies(into: frames)
                }
                #expect(frames.value == [[1, 2, 3]])
                await server.close()
                await listener.close()
            }
        }

        @Test func oversizedLength_failsWithoutBuffering() async throws {
            try await withTestReactor { reactor in
                let options = Connection.Options(maximumFrameSize: 1000)
                let (listener, server, client) = try await makePair(on: reactor, options: options)
                try await client.sendRaw([0xFF, 0xFF, 0xFF, 0xFF])
                await #expect(throws: ConnectionError.frame(.oversized(length: .max, maximum: 1000))) {
                    _ = try await server.readBodies()
                }
                #expect(await server.partialBytes == 0)
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        @Test func cleanClose_endsTheSequence() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                for index in 0..<3 { try await client.send(.ping(nonce: UInt64(index))) }
                try await client.flush()
                await client.close()
                let messages = try await server.readBodies().map { try Message.decode($0[...]) }
                #expect(messages == [.ping(nonce: 0), .ping(nonce: 1), .ping(nonce: 2)])
                await server.close()
                await listener.close()
            }
        }

        @Test func unreadPeer_suspendsWriterAtHighWatermark_andResumesBelowLow() async throws {
            try await withTestReactor { reactor in
                let options = Connection.Options(highWatermark: 64 << 10, lowWatermark: 16 << 10)
                let (listener, server, client) = try await makePair(on: reactor, options: options)
                let chunk = [UInt8](repeating: 1, count: 16 << 10)
                // Nobody reads the server side: the kernel buffers fill, then ours.
                var sent = 0
                while await client.bufferedBytes <= options.highWatermark && sent < 4096 {
                    try await client.send(frame: chunk)
                    sent += 1
                    try await reactor.sleep(for: .milliseconds(1))
                }
                #expect(await client.bufferedBytes > options.highWatermark)
                let writer = Task(executorPreference: reactor) { try await client.waitUntilWritable() }
                try await reactor.sleep(for: .milliseconds(50))
                // Start reading: the writer must resume once the buffer drains below low.
                let total = sent
                let reader = Task(executorPreference: reactor) { try await server.readBodies(count: total).count }
                try await writer.value
                #expect(await client.bufferedBytes <= options.lowWatermark)
                #expect(try await reader.value == sent)
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        @Test func bufferPastTheLimit_failsAsSlowPeer() async throws {
            try await withTestReactor { reactor in
                let options = Connection.Options(maximumBufferedBytes: 256 << 10)
                let (listener, server, client) = try await makePair(on: reactor, options: options)
                let chunk = [UInt8](repeating: 1, count: 64 << 10)
                var failure: ConnectionError?
                for _ in 0..<10_000 where failure == nil {
                    do {
                        try await client.send(frame: chunk)
                        try await reactor.sleep(for: .milliseconds(1))
                    } catch let error as ConnectionError {
                        failure = error
                    }
                }
                #expect(failure?.reason == .slowPeer)
                #expect(await client.isClosed)
                await server.close()
                await listener.close()
            }
        }
    }
}

extension Connection {
    /// Test hook: queue raw bytes, framing or not.
    func sendRaw(_ bytes: [UInt8]) throws {
        try ensureRegistered()
        outbound.append(chunk: bytes)
        flushNow()
    }

    var partialBytes: Int { partial.count }
}
