import Wire

extension MeshNode {
    /// The payloads of `channel` from now on, bounded per peer (``ChannelPayloads``). Payloads
    /// of channels nobody subscribed to go to ``payloads``. Subscribing to a channel again
    /// ends the previous subscription.
    public func subscribe(channel: UInt16) -> ChannelPayloads {
        ChannelPayloads(subscription: application.channels.subscribe(channel))
    }

    /// From now on payloads of channels nobody subscribed to are dropped (and counted in
    /// ``droppedUnsubscribedPayloads``) instead of queued in ``payloads``: for an application
    /// that reads only its channels.
    package func dropPayloadsOfUnsubscribedChannels() {
        application.channels.dropsUnsubscribed.withLock { $0 = true }
    }

    /// Payloads dropped because their channel had no subscription.
    package var droppedUnsubscribedPayloads: Int { application.channels.droppedUnsubscribed.value }

    /// Sends `payload` on `channel` to one peer; false if it is not connected (or its send
    /// buffer is full).
    @discardableResult
    public func send(_ payload: [UInt8], channel: UInt16, to peer: PeerIP) async -> Bool {
        await registry.send(payload, channel: channel, to: peer)
    }

    /// Sends `payload` on `channel` to every connected peer except `excluded`; returns how
    /// many took it.
    @discardableResult
    public func broadcast(_ payload: [UInt8], channel: UInt16, except excluded: PeerIP? = nil) async -> Int {
        await registry.broadcast(payload, channel: channel, except: excluded)
    }

    /// Replaces the application bytes of the handshakes this node sends from now on (at most
    /// 1,024 bytes; false and nothing changed if longer). Sessions already open keep what
    /// they exchanged.
    @discardableResult
    public func setHandshakeData(_ bytes: [UInt8]) -> Bool {
        guard bytes.count <= Message.maximumApplicationDataLength else { return false }
        application.handshakeData.withLock { $0 = bytes }
        return true
    }

    /// Installs the application's check of a peer's handshake, run after the node's own
    /// checks passed: return nil to admit the peer, or a reason to refuse it. A refused peer
    /// is told `application_refused`; the refusal is logged (`peer.application_refused` with
    /// the reason) and counted like any other handshake failure. Runs on the node's reactor
    /// thread: it must be quick and must not block.
    public func setHandshakeValidator(_ validator: (@Sendable (ConnectedPeer) -> String?)?) {
        application.validator.withLock { $0 = validator }
    }

    /// The connected peers as their handshakes described them.
    public func peers() async -> [ConnectedPeer] {
        await registry.connectedPeers()
    }
}

extension PeerRegistry {
    /// Sends a payload on `channel` to one peer; false if it is not connected.
    func send(_ payload: [UInt8], channel: UInt16, to ip: PeerIP) -> Bool {
        guard let peer = peers[ip] else { return false }
        return peer.onLoop((payload, channel)) { peer, message in
            (try? peer.send(.payload(message.0, channel: message.1))) != nil
        }
    }

    /// Sends a payload on `channel` to every peer except `excluded`; returns how many took it.
    func broadcast(_ payload: [UInt8], channel: UInt16, except excluded: PeerIP?) -> Int {
        var delivered = 0
        for (ip, peer) in peers where ip != excluded {
            // Every PeerConnection runs on this registry's reactor: same executor.
            let sent = peer.onLoop((payload, channel)) { peer, message in
                (try? peer.send(.payload(message.0, channel: message.1))) != nil
            }
            if sent { delivered += 1 }
        }
        return delivered
    }

    /// Pauses or resumes reading the IP's session (channel back-pressure).
    func setReadingPaused(_ ip: PeerIP, _ paused: Bool) {
        guard let peer = peers[ip] else { return }
        peer.connection.onLoop(paused) { connection, paused in
            if paused { connection.pauseReading() } else { connection.resumeReading() }
        }
    }

    func connectedPeers() -> [ConnectedPeer] {
        peers.values.compactMap { peer in peer.assumeIsolated { $0.connectedPeer } }.sorted { $0.ip < $1.ip }
    }
}
