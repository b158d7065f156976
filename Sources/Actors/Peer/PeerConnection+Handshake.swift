import Wire

extension PeerConnection {
    /// Exchanges Handshake and HandshakeAck within the handshake timeout. Both sides send
    /// their Handshake first, then check the peer's: version, chain id and genesis must
    /// match, and a nonce equal to ours means we dialed ourselves. A mismatch is answered
    /// with a Disconnect carrying the reason before the connection closes.
    func handshake() async throws(HandshakeFailure) {
        let configuration = context.configuration
        let timer = connection.reactor.scheduleTimer(after: configuration.handshakeTimeout) { _ in
            // Timers fire on the reactor thread, this actor's executor.
            self.assumeIsolated { peer in
                peer.handshakeTimedOut = true
                peer.onConnection { $0.close() }
            }
        }
        defer { connection.reactor.cancelTimer(timer) }
        var reader = connection.frames.makeAsyncIterator()
        do {
            try onConnection {
                try $0.send(
                    .handshake(
                        Handshake(
                            protocolVersion: configuration.protocolVersion, chainID: configuration.chainID,
                            genesis: configuration.genesis, listenPort: configuration.listen.port,
                            nonce: context.nonce, userAgent: configuration.userAgent)))
            }
            var received: Handshake?
            var peerListSeen = false
            while received == nil {
                switch try await nextMessage(&reader) {
                case .handshake(let handshake): received = handshake
                case .disconnect(let reason): throw HandshakeFailure(reason: reason, reportedByPeer: true)
                case .peerList(let addresses) where !peerListSeen:
                    // A full peer answers with addresses before refusing us: keep them (once).
                    peerListSeen = true
                    await context.manager.learned(addresses, from: ip)
                default: throw HandshakeFailure(reason: .protocolViolation, reportedByPeer: false)
                }
            }
            guard let theirs = received else { throw HandshakeFailure(reason: .handshakeError, reportedByPeer: false) }
            if let mismatch = check(theirs) {
                close(reason: mismatch)
                throw HandshakeFailure(reason: mismatch, reportedByPeer: false)
            }
            remote = theirs
            try onConnection { try $0.send(.handshakeAck) }
            switch try await nextMessage(&reader) {
            case .handshakeAck: break
            case .disconnect(let reason): throw HandshakeFailure(reason: reason, reportedByPeer: true)
            default: throw HandshakeFailure(reason: .protocolViolation, reportedByPeer: false)
            }
        } catch let failure as HandshakeFailure {
            if failure.reason == .protocolViolation { close(reason: .protocolViolation) }
            if failure.reportedByPeer { abort(reason: failure.reason) }
            throw failure
        } catch {
            let reason: ReasonCode = handshakeTimedOut ? .handshakeTimeout : Self.reason(for: error)
            // A bad frame (an oversized length) still leaves the sending side usable: say why.
            if reason == .protocolViolation { close(reason: reason) } else { abort(reason: reason) }
            throw HandshakeFailure(reason: reason, reportedByPeer: false)
        }
        self.reader = reader
    }

    /// The reason code of a mismatch, or nil if the peer may join.
    func check(_ theirs: Handshake) -> ReasonCode? {
        let configuration = context.configuration
        if theirs.nonce == context.nonce { return .selfConnection }
        if theirs.protocolVersion != configuration.protocolVersion { return .versionMismatch }
        if theirs.chainID != configuration.chainID { return .chainIDMismatch }
        if theirs.genesis != configuration.genesis { return .genesisMismatch }
        return nil
    }

    /// The next decoded message; a clean end of stream is `remote_closed`.
    func nextMessage(_ reader: inout Connection.Frames.AsyncIterator) async throws -> Message {
        guard let frame = try await reader.next(isolation: self) else {
            throw ConnectionError.frame(.truncated(have: 0, need: Frame.headerSize))
        }
        do {
            return try Message.decode(frame.body)
        } catch {
            throw HandshakeFailure(reason: .protocolViolation, reportedByPeer: false)
        }
    }

    static func reason(for error: any Error) -> ReasonCode {
        switch error {
        case let error as ConnectionError:
            if case .frame(.truncated(have: 0, _)) = error { return .remoteClosed }
            return error.reason
        case let failure as HandshakeFailure: return failure.reason
        case is CancellationError: return .shutdown
        default: return .handshakeError
        }
    }
}
