import Wire

/// `PeerIP -> PeerConnection` for the peers with an established session: send to one,
/// broadcast to all but one. Derived, not a second truth: the ConnectionManager writes it
/// only when carrying out `PeerTable`'s `register`/`unregister` actions, in the same step as
/// the table's change (both run on the reactor), so it holds exactly the table's sessions and
/// never a closed one.
public actor PeerRegistry: LoopIsolated {
    public nonisolated let reactor: Reactor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { reactor.asUnownedSerialExecutor() }
    private(set) var peers: [PeerIP: PeerConnection] = [:]

    init(reactor: Reactor) {
        self.reactor = reactor
    }

    /// Only for `ConnectionManager.perform`. Returns the connection it replaced.
    @discardableResult
    func set(_ peer: PeerConnection?, for ip: PeerIP) -> PeerConnection? {
        defer { peers[ip] = peer }
        return peers[ip]
    }

    /// The reachable peers.
    public var connected: [PeerIP] { Array(peers.keys) }

    public var count: Int { peers.count }

    /// Sends an application payload to one peer; false if it is not connected.
    @discardableResult
    public func send(_ payload: [UInt8], to ip: PeerIP) -> Bool {
        guard let peer = peers[ip] else { return false }
        return peer.onLoop(payload) { peer, payload in (try? peer.send(payload: payload)) != nil }
    }

    /// Sends an application payload to every peer except `excluded`; returns how many took it.
    /// The payload is framed once per peer straight into each peer's outbound buffer.
    @discardableResult
    public func broadcast(_ payload: [UInt8], except excluded: PeerIP? = nil) -> Int {
        var delivered = 0
        for (ip, peer) in peers where ip != excluded {
            // Every PeerConnection runs on this registry's reactor: same executor.
            if peer.onLoop(payload, { peer, payload in (try? peer.send(payload: payload)) != nil }) { delivered += 1 }
        }
        return delivered
    }
}
