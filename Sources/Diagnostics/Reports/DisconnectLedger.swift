/// Two-sided accounting of session ends: by reason and by who ended it (this node or the
/// peer), in total and per peer, with the reason the peer gave when it sent a Disconnect.
/// Totals feed `meshnode_disconnects_total{reason,side}`; per peer feeds `why`.
///
/// Per-peer entries are bounded (`peerLimit`, least recently ended first out); totals are
/// keyed by reason codes, a fixed taxonomy, and capped at `keyLimit` keys as a guard.
public struct DisconnectLedger: Sendable {
    public struct Key: Sendable, Hashable {
        public var reason: String
        public var side: DisconnectSide
        public init(reason: String, side: DisconnectSide) {
            self.reason = reason
            self.side = side
        }
    }

    /// One peer's session ends.
    public struct PeerLedger: Sendable, Equatable {
        public var counts: [Key: Int] = [:]
        /// Reasons the peer sent in its Disconnect, counted.
        public var remoteReasons: [String: Int] = [:]
        public var lastReason: String?
        public var lastSide: DisconnectSide?
        public var lastRemoteReason: String?
        public var lastUnix: Double?
    }

    public let keyLimit: Int
    public private(set) var totals: [Key: Int] = [:]
    /// Every reason peers sent in a Disconnect, counted.
    public private(set) var remoteReasons: [String: Int] = [:]
    private var peers: BoundedPeerMap<PeerLedger>

    public init(peerLimit: Int = 1024, keyLimit: Int = 128) {
        self.keyLimit = keyLimit
        self.peers = BoundedPeerMap(capacity: peerLimit)
    }

    /// Records a session end of `ip`.
    public mutating func record(reason: String, side: DisconnectSide, remoteReason: String?, ip: String, now: Double) {
        let key = Key(reason: reason, side: side)
        let limit = keyLimit
        Self.count(key, in: &totals, limit: limit)
        if let remoteReason { Self.count(remoteReason, in: &remoteReasons, limit: limit) }
        peers.update(ip, initial: { PeerLedger() }) { ledger in
            Self.count(key, in: &ledger.counts, limit: limit)
            if let remoteReason { Self.count(remoteReason, in: &ledger.remoteReasons, limit: limit) }
            ledger.lastReason = reason
            ledger.lastSide = side
            ledger.lastRemoteReason = remoteReason
            ledger.lastUnix = now
        }
    }

    /// One peer's ledger, if it has ended a session since it was last evicted.
    public func ledger(for ip: String) -> PeerLedger? { peers[ip] }

    /// Totals by reason, then side (both sides present for every reason seen).
    public var totalsByReason: [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for (key, count) in totals {
            for side in DisconnectSide.allCases { result[key.reason, default: [:]][side.rawValue, default: 0] += 0 }
            result[key.reason, default: [:]][key.side.rawValue, default: 0] += count
        }
        return result
    }

    private static func count<K: Hashable>(_ key: K, in counts: inout [K: Int], limit: Int) {
        guard counts[key] != nil || counts.count < limit else { return }
        counts[key, default: 0] &+= 1
    }
}
