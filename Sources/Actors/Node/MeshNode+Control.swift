import Wire

extension MeshNode {
    /// A new subscription to peer events from now on; see ``PeerEvents`` for its buffering.
    /// Many subscriptions may be open at once; each ends when the node stops.
    public func events() -> PeerEvents {
        manager.events.subscribe()
    }

    /// Closes the session with `ip` (the peer is told `local_disconnect`). The IP may connect
    /// again; ban it to keep it out. False if it had no session.
    @discardableResult
    public func disconnect(_ ip: PeerIP) async -> Bool {
        await manager.disconnect(ip, reason: .localDisconnect)
    }

    /// Refuses `ip` for `duration` from now: its session is closed as `peer_banned`, its dials
    /// and connections refused until then. `reason` is logged and carried by the `banned`
    /// event. Returns the end of the ban, Unix seconds.
    @discardableResult
    public func ban(_ ip: PeerIP, reason: String, duration: Duration) async -> Double {
        let (seconds, attoseconds) = duration.components
        return await manager.ban(ip, seconds: Double(seconds) + Double(attoseconds) / 1e18, reason: reason)
    }

    /// Lifts a ban early; false if `ip` was not banned.
    @discardableResult
    public func unban(_ ip: PeerIP) async -> Bool {
        await manager.unban(ip)
    }

    /// Dials `address` now, whatever its cooldown. With `persist` it becomes a direct peer
    /// (as `--peer`): dialed first in every cycle while not connected, never pruned from the
    /// book, kept across restarts. Without, it enters the book as any peer the node has talked
    /// to, which the maintainer may dial again when it needs outbound peers, as bitcoind's
    /// `addnode onetry`. Returns nil once a session is established, else the reason.
    @discardableResult
    public func connect(_ address: SocketAddress, persist: Bool) async -> ReasonCode? {
        await connect(to: address, source: persist ? .direct : .peerBook, bypassCooldown: true)
    }

    /// Networking on or off, as bitcoind's `setnetworkactive`: off closes every session as
    /// `network_inactive` and refuses every dial and inbound connection until it is on again.
    public func setNetworkActive(_ active: Bool) async {
        await manager.setNetworkActive(active)
    }

    /// Whether networking is on (``setNetworkActive(_:)``).
    public var isNetworkActive: Bool {
        get async { await manager.networkActive }
    }
}
