import TestSupport
import Testing

@testable import Actors
@testable import Wire

/// Runs one node on a reactor of its own whose timers follow a ``ManualClock``: handshake
/// deadlines, lingers and pings fire only when the test calls `reactor.advanceClock(by:)`.
/// Sockets stay real. Shuts the node down after `body` and checks no socket was left open;
/// `body` must close the connections it opened (so no session is left lingering on a clock
/// nobody advances).
func withManualClockNode<T: Sendable>(
    _ configuration: NodeConfiguration, timeout: Duration = .seconds(30),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: @escaping @Sendable (MeshNode, Reactor) async throws -> T
) async throws -> T {
    try await ExclusiveIO.shared.run {
        let before = openSocketCount()
        let result = try await Reactor.withReactor(name: "manual-clock", clock: ManualClock()) { reactor in
            let node = try MeshNode(configuration: configuration, reactor: reactor, logger: testLogger, persist: false)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    await node.run(); return nil
                }
                let outcome: Result<T, any Error>
                do {
                    outcome = .success(
                        try await withThrowingTaskGroup(of: T.self) { inner in
                            inner.addTask(executorPreference: reactor) { try await body(node, reactor) }
                            inner.addTask {
                                try await Task.sleep(for: timeout)
                                throw TestTimeout()
                            }
                            defer { inner.cancelAll() }
                            return try await inner.next()!
                        })
                } catch {
                    outcome = .failure(error)
                }
                await node.shutdown()
                try await group.waitForAll()
                return try outcome.get()
            }
        }
        var after = openSocketCount()
        for _ in 0..<40 where after > before {
            try await Task.sleep(for: .milliseconds(50))
            after = openSocketCount()
        }
        #expect(after <= before, "sockets open before: \(before), after: \(after)", sourceLocation: sourceLocation)
        return result
    }
}

extension MeshNode {
    /// A hand-driven peer from `ip`, handshaked with this node, returned once the node's side
    /// of the session has started (its liveness is armed): the peer's connection, and the
    /// node's PeerConnection for it. The node must have no other session.
    func startedSession(
        from ip: IPAddress, reactor: Reactor, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (client: Connection, peer: PeerConnection) {
        let client = try await Connection.handshakedPeer(to: configuration.listen, from: ip, reactor: reactor)
        #expect(await eventually { await self.manager.sessions.count == 1 }, sourceLocation: sourceLocation)
        let peer = try #require(await manager.livePeers.first, sourceLocation: sourceLocation)
        #expect(await eventually { await peer.liveness != nil }, sourceLocation: sourceLocation)
        return (client, peer)
    }
}

extension Connection {
    /// Test peer reading through the one read model: the messages of every batch delivered
    /// until `enough` holds for all received so far (delivery then pauses), or the peer closes.
    func readMessages(until enough: @escaping @Sendable ([Message]) -> Bool = { _ in false }) async throws
        -> [Message]
    {
        let messages = LockedValue<[Message]>([])
        _ = try await deliverBatches { batch in
            let done = try messages.withLock { messages -> Bool in
                for frame in batch { messages.append(try Message.decode(frame.body)) }
                return enough(messages)
            }
            return done ? .pause : .proceed
        }
        return messages.value
    }

    /// A hand-driven peer: sends a valid Handshake, waits for the node's, acknowledges it and
    /// waits for the node's HandshakeAck.
    static func handshakedPeer(to node: SocketAddress, from ip: IPAddress, reactor: Reactor = .shared)
        async throws -> Connection
    {
        let connection = try await Connection.connect(to: node, from: ip, timeout: .seconds(2), reactor: reactor)
        try await connection.send(
            .handshake(
                Handshake(
                    protocolVersion: Handshake.currentProtocolVersion, chainID: "mainnet", genesis: .mainnet,
                    listenPort: 7071, nonce: UInt64.random(in: 1...UInt64.max), userAgent: "test-peer/1")))
        var received = try await connection.readMessages { $0.contains { $0.isHandshake } }
        guard received.contains(where: { $0.isHandshake }) else { throw TestTimeout() }
        try await connection.send(.handshakeAck)
        if !received.contains(.handshakeAck) {
            received = try await connection.readMessages { $0.contains(.handshakeAck) }
        }
        guard received.contains(.handshakeAck) else { throw TestTimeout() }
        return connection
    }
}

extension Message {
    var isHandshake: Bool {
        if case .handshake = self { return true }
        return false
    }
}
