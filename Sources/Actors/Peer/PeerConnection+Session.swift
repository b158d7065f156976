import Diagnostics
import Wire

extension PeerConnection {
    /// The message loop, after a successful handshake. Returns why the session ended.
    /// Frames are taken a read cycle at a time; the payloads of one cycle go to the
    /// embedding program as one batch.
    func runSession() async -> ReasonCode {
        defer { sessionFinished.fire() }
        guard sessionReady else { return closeReason ?? .handshakeError }
        sessionReady = false
        connectedSince = Timestamp.unixSecondsDouble()
        budgets = SessionBudgets(configuration: context.configuration, now: reactor.now())
        startLiveness()
        // Off a LAN, addresses are asked of peers we chose (Bitcoin Core sends getaddr to
        // outbound peers only): an attacker's inbound sessions cannot fill our book. The
        // maintainer asks inbound peers too while we have no outbound session at all.
        if direction == .outbound || context.configuration.lan { askForPeers() }
        var ending: ReasonCode = .remoteClosed
        do {
            // Frames that came behind the handshake are delivered first. A delivery pauses when
            // a budget is spent (nothing is read meanwhile: TCP holds the peer back), and goes
            // on when the application and the socket have drained.
            while true {
                let end = try await connection.deliverBatches { [self] batch in
                    // Called on the loop thread (the epoll callback), this actor's executor.
                    try self.onLoop(batch) { peer, batch in try peer.handle(batch: batch) }
                }
                guard end == .paused, budgets?.stopReading != true else { break }
                // Closing: read on (and discard) until the peer hangs up or the linger ends.
                if closeReason == nil { try await waitForBudgets() }
            }
        } catch {
            ending = Self.reason(for: error)
            // A bad frame: tell the peer why.
            if ending == .protocolViolation { close(reason: ending) }
        }
        stopLiveness()
        cancelSendStallTimer()
        budgets?.receive.interrupt()
        await closeAfterDisconnect()
        releaseMemoryIfHeavy()
        return closeReason ?? remoteReason.map { _ in .remoteClosed } ?? ending
    }

    /// Handles the frames of one read cycle; their payloads go to the application as one batch.
    /// Synchronous: nothing here waits (the manager shares this actor's reactor), so it runs
    /// straight from the epoll callback, with no task to resume.
    ///
    /// Pauses when the peer's receive budget is spent after this batch, or, before a frame,
    /// when its send budget is (that frame and the rest are kept for later). Past
    /// ``messagesPerPass`` messages the rest waits for the next loop pass.
    private func handle(batch: FrameBatch) throws -> Connection.DeliveryStep {
        var payloads: [Delivery] = []
        var payloadBytes = 0
        var handled = 0
        var frames = batch.makeIterator()
        while true {
            let before = frames
            guard let frame = frames.next(), budgets?.stopReading != true else { break }
            if closeReason == nil && sendBudgetSpent {
                _ = deliver(payloads, bytes: payloadBytes)
                return .pauseKeeping(rest: before)
            }
            // Hanging up (Disconnect sent): nothing more is processed, as bitcoind skips a peer
            // marked for disconnection, so a flood after a violation costs no decoding and no
            // logging. Only the peer's own Disconnect still counts: it ends the linger at once.
            if closeReason != nil && frame.body.first != Message.Kind.disconnect.rawValue { continue }
            if handled == Self.messagesPerPass {
                let receiveSpent = deliver(payloads, bytes: payloadBytes)
                return receiveSpent && closeReason == nil ? .pauseKeeping(rest: before) : .continueLater(rest: before)
            }
            handled += 1
            let message: Message
            do {
                message = try Message.decode(frame.body)
            } catch {
                context.logger.log(
                    .warning, "peer.bad_message", peer: ip.description, reason: .protocolViolation,
                    [("error", .string("\(error)"))], origin: .outsider)
                close(reason: .protocolViolation)
                continue
            }
            if case .payload(let bytes, let channel) = message {
                payloads.append(Delivery(peer: ip, bytes: bytes, channel: channel, ledger: budgets?.receive))
                payloadBytes = payloadBytes.addingSaturating(bytes.count)
            } else {
                try handle(message)
            }
        }
        let receiveSpent = deliver(payloads, bytes: payloadBytes)
        if budgets?.stopReading == true { return .pause }
        return receiveSpent && closeReason == nil ? .pause : .proceed
    }

    private func handle(_ message: Message) throws {
        switch message {
        case .ping(let nonce):
            try send(.pong(nonce: nonce))
        case .pong(let nonce):
            if let rtt = liveness?.pongReceived(nonce: nonce, now: reactor.now()) {
                // The timer was waiting for the pong's deadline: move it to the next ping.
                if let livenessTimer { connection.reactor.cancelTimer(livenessTimer) }
                armLiveness()
                lastRTT = Double(rtt) / 1e9
                minimumRTT = min(minimumRTT ?? .infinity, Double(rtt) / 1e9)
                context.manager.onLoop(Double(rtt) / 1e9) { manager, seconds in manager.recordRTT(seconds) }
            }
        case .getPeers:
            try answerGetPeers()
        case .peerList(let addresses):
            // Only answers are taken: a peer pushing address lists nobody asked for (a flood,
            // or an attempt to fill the book with its own picks) is cut off.
            guard peerListsOwed > 0 else {
                context.logger.log(
                    .warning, "peer.unsolicited_peer_list", peer: ip.description, reason: .protocolViolation,
                    [("entries", .int(addresses.count))], origin: .outsider)
                close(reason: .protocolViolation)
                return
            }
            peerListsOwed -= 1
            let admitted = admitLearned(addresses)
            guard !admitted.isEmpty else { return }
            context.manager.onLoop((admitted, ip)) { manager, list in manager.learned(list.0, from: list.1) }
        case .payload:
            break  // collected per read cycle by handle(frames:)
        case .disconnect(let reason):
            remoteReason = reason
            context.logger.log(
                .info, "peer.disconnect_received", peer: listenAddress.description, reason: reason, origin: .outsider)
            onConnection { $0.close() }
        case .handshake, .handshakeAck:
            close(reason: .protocolViolation)
        }
    }

    /// Sends GetPeers, unless two are already unanswered; each earns exactly one PeerList.
    func askForPeers() {
        guard peerListsOwed < 2, closeReason == nil else { return }
        guard (try? send(.getPeers)) != nil else { return }
        peerListsOwed += 1
    }

    private func startLiveness() {
        let configuration = context.configuration
        // The first ping comes after a random 50–100 % of the interval (jitter).
        let first = configuration.pingInterval * Double.random(in: 0.5...1.0)
        liveness = Liveness(
            interval: configuration.pingInterval, timeout: configuration.pingTimeout, now: reactor.now(),
            nonceSeed: context.nonce ^ id, firstPingAfter: first)
        armLiveness()
    }

    func armLiveness() {
        guard let deadline = liveness?.nextDeadline else { return }
        livenessTimer = connection.reactor.scheduleTimer(at: deadline) { cancelled in
            guard !cancelled else { return }
            // Timers fire on the reactor thread, this actor's executor.
            self.onLoop(()) { peer, _ in peer.livenessFired() }
        }
    }

    private func livenessFired() {
        livenessTimer = nil
        guard var state = liveness else { return }
        let action = state.poll(now: reactor.now())
        liveness = state
        switch action {
        case .none: break
        case .sendPing(let nonce): try? send(.ping(nonce: nonce))
        case .timedOut:
            context.logger.log(.info, "peer.ping_timeout", peer: listenAddress.description, reason: .pingTimeout)
            abort(reason: .pingTimeout)
            return
        }
        armLiveness()
    }
}

extension Timestamp {
    /// Seconds since the Unix epoch, with a fraction.
    public static func unixSecondsDouble() -> Double {
        Double(Posix.wallClockNanoseconds()) / 1e9
    }
}
