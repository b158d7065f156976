import Testing

@testable import Actors
@testable import Wire

extension MeshSuite {
    /// Deadlines of a peer connection, on a manual clock: each fires when its time comes and
    /// not a nanosecond before, and no test sleeps through one.
    @Suite struct PeerDeadlineTests {
        static let hello = Message.handshake(
            Handshake(
                protocolVersion: Handshake.currentProtocolVersion, chainID: "mainnet", genesis: .mainnet,
                listenPort: 7071, nonce: 77, userAgent: "test-peer/1"))

        @Test func handshakeDeadline_closesASilentNewcomer_exactlyAtTheTimeout() async throws {
            let configuration = testConfiguration(testAddress(21, 1)) { $0.handshakeTimeout = .seconds(2) }
            try await withManualClockNode(configuration) { node, reactor in
                // One newcomer finishes a millisecond before its deadline: it is still in time.
                let punctual = try await Connection.connect(
                    to: configuration.listen, from: testAddress(21, 2).ip, timeout: .seconds(2), reactor: reactor)
                // The node's Handshake arrives once its deadline is armed.
                #expect(try await punctual.readMessages { $0.contains { $0.isHandshake } }.contains { $0.isHandshake })
                await reactor.advanceClock(by: .milliseconds(1_999))
                try await punctual.send(Self.hello)
                try await punctual.send(.handshakeAck)
                #expect(try await punctual.readMessages { $0.contains(.handshakeAck) }.contains(.handshakeAck))
                #expect(await eventually { await node.manager.sessions.count == 1 })

                // Another says nothing: at the deadline the node hangs up on it.
                let silent = try await Connection.connect(
                    to: configuration.listen, from: testAddress(21, 3).ip, timeout: .seconds(2), reactor: reactor)
                #expect(try await silent.readMessages { $0.contains { $0.isHandshake } }.contains { $0.isHandshake })
                let start = ContinuousClock.now
                await reactor.advanceClock(by: .seconds(2))
                _ = try? await silent.readMessages()  // to the end: the node closed
                #expect(ContinuousClock.now - start < .seconds(1))  // the manual clock fired it, not real time
                #expect(await eventually { await node.manager.totals.handshakeFailures[.handshakeTimeout] == 1 })
                #expect(await node.manager.sessions.count == 1)
                await silent.close()
                await punctual.close()
            }
        }

        @Test func linger_closesTheSessionOneSecondAfterDisconnect_whenThePeerNeverHangsUp() async throws {
            let configuration = testConfiguration(testAddress(22, 1))
            try await withManualClockNode(configuration) { node, reactor in
                let (client, peer) = try await node.startedSession(from: testAddress(22, 2).ip, reactor: reactor)
                // A second HandshakeAck is a protocol violation: the node says so and half-closes.
                try await client.send(.handshakeAck)
                let received = try await client.readMessages()  // to the node's half-close
                #expect(received.last == .disconnect(.protocolViolation))
                // The client never hangs up: the node waits for it one second, then closes.
                await reactor.advanceClock(by: .milliseconds(999))
                #expect(await !peer.connection.isClosed)
                await reactor.advanceClock(by: .milliseconds(1))
                #expect(await peer.connection.isClosed)
                #expect(await eventually { await node.manager.sessions.isEmpty })
                await client.close()
            }
        }

        /// Shutdown tells every peer why (INTERFACE.md: "peers told"), waits for them to hang
        /// up, at most one linger, and is woken by the last one: on a manual clock nobody
        /// advances, only the peer's hang-up can end the wait.
        @Test func shutdown_endsWhenTheLastPeerHangsUp_withoutWaitingOutTheLinger() async throws {
            let configuration = testConfiguration(testAddress(25, 1))
            try await withManualClockNode(configuration) { node, reactor in
                let (client, _) = try await node.startedSession(from: testAddress(25, 2).ip, reactor: reactor)
                // A polite peer: reads to the node's half-close, then hangs up at once.
                let polite = Task(executorPreference: reactor) {
                    let received = try await client.readMessages()
                    await client.close()
                    return received
                }
                await node.shutdown()
                let received = try await polite.value
                #expect(received.last == .disconnect(.shutdown), "\(received)")
            }
        }

        /// Issue #12: before the handshake a connection cannot make the node hold a large
        /// partial frame. A 4 MiB − 1 length (within the session limit) is refused as soon as
        /// its header arrives, with a Disconnect, without any timer having to fire.
        @Test func largeLengthBeforeTheHandshake_isProtocolViolationAtOnce() async throws {
            let configuration = testConfiguration(testAddress(23, 1))
            try await withManualClockNode(configuration) { node, reactor in
                let attacker = try await Connection.connect(
                    to: configuration.listen, from: testAddress(23, 2).ip, timeout: .seconds(2), reactor: reactor)
                let length = UInt32(Frame.defaultMaximumSize - 1)
                try await attacker.sendRaw(withUnsafeBytes(of: length.bigEndian) { Array($0) })
                let received = try await attacker.readMessages()  // to the node's half-close
                #expect(received.contains { $0.isHandshake })
                #expect(received.last == .disconnect(.protocolViolation))
                #expect(await eventually { await node.manager.totals.handshakeFailures[.protocolViolation] == 1 })
                #expect(await node.manager.sessions.isEmpty)
                await attacker.close()
            }
        }

        /// The restriction ends with the handshake: a session frame over the handshake limit
        /// that arrives in the same read as the peer's HandshakeAck is delivered, not refused.
        @Test func largeFrameRightBehindTheHandshake_isDelivered() async throws {
            let configuration = testConfiguration(testAddress(24, 1))
            try await withManualClockNode(configuration) { node, reactor in
                let client = try await Connection.connect(
                    to: configuration.listen, from: testAddress(24, 2).ip, timeout: .seconds(2), reactor: reactor)
                #expect(try await client.readMessages { $0.contains { $0.isHandshake } }.contains { $0.isHandshake })
                let big = [UInt8](repeating: 0xAB, count: 100_000)
                // Queued together, sent in one write.
                try await client.send(Self.hello)
                try await client.send(.handshakeAck)
                try await client.send(.payload(big))
                var payloads = node.payloads.makeAsyncIterator()
                let first = await payloads.next()
                #expect(first?.1 == big)
                #expect(await node.manager.totals.handshakeFailures.isEmpty)
                await client.close()
            }
        }
    }
}

extension Connection {
    /// Test hook: queue raw bytes, framing or not, and send them now.
    func sendRaw(_ bytes: [UInt8]) throws {
        try ensureRegistered()
        outbound.append(chunk: bytes)
        flushNow()
    }
}
