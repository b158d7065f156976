import Wire

extension PeerBook {
    /// A learned peer that never connected is dropped after this many failed attempts
    /// (addrman's `ADDRMAN_RETRIES`).
    public static let pruneAfterFailuresNeverConnected = 3
    /// A peer that did connect once is dropped after this many consecutive failures…
    public static let pruneAfterFailures = 10
    /// …when its last success is older than this (addrman's `ADDRMAN_MAX_FAILURES` in
    /// `ADDRMAN_MIN_FAIL_DAYS`).
    public static let pruneAfterSilence: Double = 7 * 86_400

    /// Removes peers that keep failing ("failed connections are removed"): learned peers
    /// (persisted, gossip, handshake) that never connected after
    /// `pruneAfterFailuresNeverConnected` failures, or failed `pruneAfterFailures` times with
    /// no success in `pruneAfterSilence`; and port-less records with no ban or violation left
    /// to keep. Never an
    /// operator's peer (direct, seed), a ban in force, or an IP in `keeping` (connected,
    /// connecting). Returns how many were removed.
    @discardableResult
    public mutating func prune(now: Double, keeping: Set<PeerIP>) -> Int {
        let doomed = records.values.filter { record in
            guard record.source > .seed, !keeping.contains(record.ip) else { return false }
            if let until = record.bannedUntil, until > now { return false }
            // A port-less record only holds a ban or violations toward one.
            if record.address.port == 0 { return record.violations == 0 || now - record.firstSeen > Self.banDuration }
            guard let lastSuccess = record.lastSuccess else {
                return record.failures >= Self.pruneAfterFailuresNeverConnected
            }
            return record.failures >= Self.pruneAfterFailures && now - lastSuccess > Self.pruneAfterSilence
        }
        for record in doomed { records[record.ip] = nil }
        return doomed.count
    }

    /// Readies a book loaded from peers.json for this run: its entries come from the
    /// `peer_book` (a `direct` peer stays direct: the operator asked to keep it), and
    /// cooldowns set by an incompatible handshake are dropped, since the node may have been
    /// restarted precisely to fix its own chain id or genesis.
    public mutating func prepareForStart() {
        for ip in Array(records.keys) {
            guard var record = records[ip] else { continue }
            if record.source != .direct { record.source = .peerBook }
            if let reason = record.lastReason, Self.isIncompatibility(ReasonCode(rawValue: reason)) {
                record.cooldownUntil = nil
            }
            records[ip] = record
        }
    }
}
