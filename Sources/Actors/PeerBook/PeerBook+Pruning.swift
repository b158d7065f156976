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

    /// Removes peers that keep failing ("failed connections are removed"): learned addresses
    /// that never connected after `pruneAfterFailuresNeverConnected` failures, or failed
    /// `pruneAfterFailures` times with no success in `pruneAfterSilence`, or that the address
    /// manager finds terrible (unseen for 30 days, from the future, tried in vain); and
    /// outcome records without an address that hold no ban or violation any more. Never an
    /// operator's peer (direct, seed), a ban in force, or an IP in `keeping` (connected,
    /// connecting). Returns how many IPs were forgotten.
    @discardableResult
    public mutating func prune(now: Double, keeping: Set<PeerIP>) -> Int {
        var removed = 0
        var doomed: [PeerIP] = []
        for entry in addresses.entries.values where !entry.isOperatorGiven && !keeping.contains(entry.ip) {
            let outcome = outcomes[entry.ip]
            if let until = outcome?.bannedUntil, until > now { continue }
            let failures = outcome?.failures ?? 0
            let failing =
                entry.lastSuccess.map { failures >= Self.pruneAfterFailures && now - $0 > Self.pruneAfterSilence }
                ?? (failures >= Self.pruneAfterFailuresNeverConnected)
            if failing || addresses.isTerrible(entry, now: now) { doomed.append(entry.ip) }
        }
        for ip in doomed {
            addresses.remove(ip)
            if outcomes[ip]?.holdsPenalty(now: now) != true { outcomes[ip] = nil }
            removed += 1
        }
        // Outcomes without an address: a port-less record only holds a ban or violations
        // toward one; once neither is left (or the violations are a ban's length old), it goes.
        var orphans: [PeerIP] = []
        for (ip, outcome) in outcomes where addresses[ip] == nil && !keeping.contains(ip) {
            if let until = outcome.bannedUntil, until > now { continue }
            if outcome.violations == 0 || now - outcome.firstSeen > Self.banDuration { orphans.append(ip) }
        }
        for ip in orphans { outcomes[ip] = nil }
        return removed + orphans.count
    }

    /// Readies a book loaded from peers.json for this run: its entries come from the
    /// `peer_book` (a `direct` peer stays direct: the operator asked to keep it; seeds are
    /// named again by the configuration if they still are seeds), and cooldowns set by an
    /// incompatible handshake are dropped, since the node may have been restarted precisely
    /// to fix its own chain id or genesis.
    public mutating func prepareForStart() {
        for ip in Array(addresses.entries.keys) where addresses.entries[ip]?.origin != .direct {
            addresses.entries[ip]?.origin = .peerBook
        }
        for (ip, outcome) in outcomes {
            if let reason = outcome.lastReason, Self.isIncompatibility(ReasonCode(rawValue: reason)) {
                outcomes[ip]?.cooldownUntil = nil
            }
        }
    }
}
