import Wire

/// An in-process peer that speaks the wire protocol from any source IP: the honest newcomers
/// and the attacker of the eclipse scenario. Every wait is bounded.
enum WirePeer {
    /// A Handshake on `mainnet` announcing `port`.
    static func hello(port: UInt16, agent: String) -> Message {
        .handshake(
            Handshake(
                protocolVersion: Handshake.currentProtocolVersion, chainID: "mainnet", genesis: .mainnet,
                listenPort: port, nonce: UInt64.random(in: 1...UInt64.max), userAgent: agent))
    }

    /// How a dial and handshake ended.
    enum Outcome: Sendable {
        /// Handshaked (the node sent its HandshakeAck); frames behind the ack stay in the connection.
        case admitted(Connection)
        /// The node said Disconnect with this reason before acking.
        case refused(String)
        /// No TCP connection, a close without a reason, or no answer within the timeout.
        case failed

        /// The connection, if handshaked.
        var admitted: Connection? {
            if case .admitted(let connection) = self { return connection }
            return nil
        }
    }

    /// Dials `target` from `source` and handshakes, within `timeout` (on `reactor`, reading at
    /// most `readBudget` bytes a pass: the connections scenario holds thousands at once).
    static func handshake(
        from source: IPAddress, to target: SocketAddress, hello: Message, timeout: Duration,
        reactor: Reactor = .shared, readBudget: Int = 16 << 10
    ) async -> Outcome {
        guard
            let connection = try? await Connection.connect(
                to: target, from: source, timeout: timeout, reactor: reactor,
                options: Connection.Options(readBudget: readBudget))
        else { return .failed }
        let outcome = await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { await exchange(connection, hello: hello) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failed
        }
        if case .admitted = outcome { return outcome }
        await connection.close()
        return outcome
    }

    private static func exchange(_ connection: Connection, hello: Message) async -> Outcome {
        do {
            try await connection.send(hello)
            let refusal = LockedValue<String?>(nil)
            let end = try await connection.deliverBatches { batch in
                try connection.onLoop(batch) { connection, batch in
                    var frames = batch.makeIterator()
                    while let frame = frames.next() {
                        switch try Message.decode(frame.body) {
                        case .handshake: try connection.send(.handshakeAck)
                        case .handshakeAck: return .pauseKeeping(rest: frames)
                        case .disconnect(let reason):
                            refusal.withLock { $0 = reason.rawValue }
                            return .pause
                        default: break
                        }
                    }
                    return .proceed
                }
            }
            if let reason = refusal.value { return .refused(reason) }
            return end == .paused ? .admitted(connection) : .failed
        } catch {
            return .failed
        }
    }

    /// The accepting side: answers a dialer's Handshake with ours and an ack; true once the
    /// dialer has acked ours too (within `timeout`).
    static func accept(_ connection: Connection, hello: Message, timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool?.self) { group in
            group.addTask {
                do {
                    let end = try await connection.deliverBatches { batch in
                        try connection.onLoop(batch) { connection, batch in
                            var frames = batch.makeIterator()
                            while let frame = frames.next() {
                                switch try Message.decode(frame.body) {
                                case .handshake:
                                    try connection.send(hello)
                                    try connection.send(.handshakeAck)
                                case .handshakeAck: return .pauseKeeping(rest: frames)
                                default: break
                                }
                            }
                            return .proceed
                        }
                    }
                    return end == .paused
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
    }

    /// A session until the node closes it: answers Pings, and GetPeers with `addresses` (at
    /// most one PeerList's worth); sends them once unasked first when `push` is set.
    static func serve(_ connection: Connection, addresses: [SocketAddress], push: Bool) async {
        let list = Array(addresses.prefix(Message.maximumPeerListCount))
        if push { try? await connection.send(.peerList(list)) }
        _ = try? await connection.deliverBatches { batch in
            try connection.onLoop(batch) { connection, batch in
                for frame in batch {
                    switch try Message.decode(frame.body) {
                    case .ping(let nonce): try connection.send(.pong(nonce: nonce))
                    case .getPeers: try connection.send(.peerList(list))
                    default: break
                    }
                }
                return .proceed
            }
        }
        await connection.close()
    }

    /// A TCP connection that never handshakes (it sends `first`, if given, and then nothing);
    /// returns when the node closes it.
    static func silent(from source: IPAddress, to target: SocketAddress, timeout: Duration, first: Message? = nil)
        async -> Bool
    {
        guard
            let connection = try? await Connection.connect(
                to: target, from: source, timeout: timeout, options: Connection.Options(readBudget: 16 << 10))
        else { return false }
        if let first { try? await connection.send(first) }
        _ = try? await connection.deliverBatches { _ in .proceed }
        await connection.close()
        return true
    }
}
