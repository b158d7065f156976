import Wire

extension PeerConnection {
    /// Runs the handshake (`HandshakeState`) within the handshake timeout: sends ours, then
    /// feeds the peer's messages to the state machine as they are delivered and carries out
    /// what it says. A mismatch or a violation is answered with a Disconnect carrying the
    /// reason. Until the handshake completes only frames up to
    /// `HandshakeState.maximumFrameSize` are accepted; frames behind the peer's HandshakeAck
    /// stay in the connection for `runSession()`.
    func handshake() async throws(HandshakeFailure) {
        let configuration = context.configuration
        let timer = connection.reactor.scheduleTimer(after: configuration.handshakeTimeout) { _ in
            // Timers fire on the reactor thread, this actor's executor.
            self.onLoop(()) { peer, _ in
                peer.handshakeTimedOut = true
                peer.onConnection { $0.close() }
            }
        }
        defer { connection.reactor.cancelTimer(timer) }
        handshaking = HandshakeState(expecting: expectations())
        defer { handshaking = nil }
        do {
            try onConnection {
                $0.restrictFrameSize(to: HandshakeState.maximumFrameSize)
                try $0.send(
                    .handshake(
                        Handshake(
                            protocolVersion: configuration.protocolVersion, chainID: configuration.chainID,
                            genesis: configuration.genesis, listenPort: configuration.listen.port,
                            nonce: context.nonce, userAgent: configuration.userAgent,
                            minimumProtocolVersion: configuration.minimumProtocolVersion,
                            application: context.application?.handshakeData.value ?? [])))
            }
            let end = try await connection.deliverBatches { [self] batch in
                // Called on the loop thread (the epoll callback), this actor's executor.
                try self.onLoop(batch) { peer, batch in try peer.handshakeReceived(batch) }
            }
            // Paused: the peer's HandshakeAck arrived. Otherwise it hung up before finishing.
            guard end == .paused else { throw ConnectionError.frame(.truncated(have: 0, need: Frame.headerSize)) }
        } catch let failure as HandshakeFailure {
            if failure.reason == .applicationRefused, let detail = failure.detail {
                context.logger.log(
                    .info, "peer.application_refused", peer: ip.description, reason: failure.reason,
                    [("detail", .string(String(detail.prefix(200))))], origin: .outsider)
            }
            if failure.reportedByPeer { abort(reason: failure.reason) } else { close(reason: failure.reason) }
            throw failure
        } catch {
            let reason: ReasonCode = handshakeTimedOut ? .handshakeTimeout : Self.reason(for: error)
            // A bad frame (an oversized length) still leaves the sending side usable: say why.
            if reason == .protocolViolation { close(reason: reason) } else { abort(reason: reason) }
            throw HandshakeFailure(reason: reason, reportedByPeer: false)
        }
        sessionReady = true
    }

    /// One delivered batch during the handshake: its frames go to the state machine until it
    /// completes (the rest waits for the session) or fails (thrown).
    private func handshakeReceived(_ batch: FrameBatch) throws -> Connection.DeliveryStep {
        var frames = batch.makeIterator()
        while let frame = frames.next() {
            guard var state = handshaking else { break }
            let action = state.receive(frameBody: frame.body)
            handshaking = state
            switch action {
            case .learn(let addresses):
                // The refusing node's list: a bounded sample, like any other.
                let admitted = admitLearned(addresses)
                guard !admitted.isEmpty else { break }
                context.manager.onLoop((admitted, ip)) { manager, list in manager.learned(list.0, from: list.1) }
            case .acknowledge(let theirs):
                remote = theirs
                try send(.handshakeAck)
            case .complete:
                onConnection { $0.liftFrameSizeRestriction() }
                return .pauseKeeping(rest: frames)
            case .ignore: break
            case .fail(let failure): throw failure
            }
        }
        return .proceed
    }

    /// What this node requires of a peer's handshake, with the application's hook (which
    /// sees the peer as it would be announced: direction, agreed version, its bytes).
    private func expectations() -> HandshakeState.Expectations {
        let configuration = context.configuration
        var validate: (@Sendable (Handshake) -> String?)?
        if let hook = context.application?.validator.value {
            let (ip, direction, address, ours) = (
                ip, direction, connection.remoteAddress, configuration.protocolVersion
            )
            validate = { theirs in
                hook(
                    ConnectedPeer(
                        ip: ip, listenAddress: SocketAddress(ip: address.ip, port: theirs.listenPort),
                        direction: direction, agreedVersion: min(ours, theirs.protocolVersion),
                        application: theirs.application, userAgent: theirs.userAgent))
            }
        }
        return HandshakeState.Expectations(
            protocolVersion: configuration.protocolVersion,
            minimumProtocolVersion: configuration.minimumProtocolVersion,
            chainID: configuration.chainID, genesis: configuration.genesis, nonce: context.nonce, validate: validate,
            acceptsRefusalPeerList: direction == .outbound)
    }

    /// The version agreed with the peer (after the handshake).
    var agreedVersion: UInt32? {
        remote.map { min(context.configuration.protocolVersion, $0.protocolVersion) }
    }

    /// The peer as the application sees it (after the handshake).
    var connectedPeer: ConnectedPeer? {
        guard let remote, let agreedVersion else { return nil }
        return ConnectedPeer(
            ip: ip, listenAddress: listenAddress, direction: direction, agreedVersion: agreedVersion,
            application: remote.application, userAgent: remote.userAgent)
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
