import Wire

extension PeerConnection {
    /// Runs the handshake (`HandshakeState`) within the handshake timeout: sends ours, then
    /// feeds the peer's messages to the state machine and carries out what it says. A
    /// mismatch or a violation is answered with a Disconnect carrying the reason.
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
        var state = HandshakeState(expecting: expectations())
        do {
            try onConnection {
                try $0.send(
                    .handshake(
                        Handshake(
                            protocolVersion: configuration.protocolVersion, chainID: configuration.chainID,
                            genesis: configuration.genesis, listenPort: configuration.listen.port,
                            nonce: context.nonce, userAgent: configuration.userAgent,
                            minimumProtocolVersion: configuration.minimumProtocolVersion,
                            application: context.application?.handshakeData.value ?? [])))
            }
            while !state.isFinished {
                guard let frame = try await reader.next(isolation: self) else {
                    throw ConnectionError.frame(.truncated(have: 0, need: Frame.headerSize))
                }
                switch state.receive(frameBody: frame.body) {
                case .learn(let addresses): await context.manager.learned(addresses, from: ip)
                case .acknowledge(let theirs):
                    remote = theirs
                    try onConnection { try $0.send(.handshakeAck) }
                case .complete, .ignore: break
                case .fail(let failure): throw failure
                }
            }
        } catch let failure as HandshakeFailure {
            if let detail = failure.detail {
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
        self.reader = reader
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
            chainID: configuration.chainID, genesis: configuration.genesis, nonce: context.nonce, validate: validate)
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
