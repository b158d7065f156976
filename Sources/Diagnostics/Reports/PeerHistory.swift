/// Every decision about each peer, newest last, for `GET /api/p2p/why/IP` and `meshnode why`:
/// skips with their reason, dials, TCP and handshake results, sessions with their duration,
/// who ended each and why, cooldowns and bans with their end.
///
/// Bounded twice: `perPeerLimit` entries per peer (the oldest go first) and `peerLimit` peers
/// (least recently recorded go first), so neither a chatty peer nor an attacker with many IPs
/// grows it. The same event repeated (a peer skipped as `cooldown_active` every tick) is one
/// entry with a count and the time of the last one, so repetition does not push out history.
/// Time is the caller's (`now`, Unix seconds): the value reads no clock.
public struct PeerHistory: Sendable {
    /// One recorded decision; `repeats` counts consecutive identical events merged into it.
    public struct Entry: Sendable, Equatable {
        public var event: PeerDecision
        public var firstUnix: Double
        public var lastUnix: Double
        public var repeats: Int
        /// For a session's end: how long it lasted, when its start was recorded.
        public var sessionSeconds: Double?
    }

    struct Peer: Sendable {
        var entries: [Entry] = []
        var connectedSince: Double?
    }

    public let perPeerLimit: Int
    private var peers: BoundedPeerMap<Peer>

    public init(perPeerLimit: Int = 32, peerLimit: Int = 1024) {
        self.perPeerLimit = max(1, perPeerLimit)
        self.peers = BoundedPeerMap(capacity: peerLimit)
    }

    /// Peers with a history.
    public var peerCount: Int { peers.count }

    /// Records `event` about `ip` at `now`.
    public mutating func record(_ event: PeerDecision, ip: String, now: Double) {
        let limit = perPeerLimit
        peers.update(ip, initial: { Peer() }) { peer in
            var duration: Double?
            switch event {
            case .connected: peer.connectedSince = now
            case .disconnected:
                duration = peer.connectedSince.map { max(0, now - $0) }
                peer.connectedSince = nil
            default: break
            }
            if duration == nil, let last = peer.entries.last, last.event == event {
                peer.entries[peer.entries.count - 1].lastUnix = now
                peer.entries[peer.entries.count - 1].repeats = last.repeats &+ 1
                return
            }
            peer.entries.append(
                Entry(event: event, firstUnix: now, lastUnix: now, repeats: 1, sessionSeconds: duration))
            if peer.entries.count > limit { peer.entries.removeFirst(peer.entries.count - limit) }
        }
    }

    /// The entries about `ip`, oldest first; nil if nothing was recorded (or it was evicted).
    public func entries(for ip: String) -> [Entry]? { peers[ip]?.entries }
}
