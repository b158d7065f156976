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
    /// `pruneAfterFailures` times with no success in `pruneAfterSilence`; and outcome records without an address that hold no ban or violation any more. Never an
    /// operator's peer (direct, seed), a ban in force, or an IP in `keeping` (connected,
    /// connecting). Returns how many IPs were forgotten.
    @discardableResult
    public mutating func prune(now: Double, keeping: Set<PeerIP>) -> Int {
        let doomed = addresses.entries.values.filter { isPrunable($0, now: now, keeping: keeping) }.map(\.ip)
        forget(doomed, now: now)
        let removed = doomed.count
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

    /// `prune` for the maintainer's tick, in bounded work: the entries of `buckets` random
    /// buckets of each table, drawn at random (each new bucket looked at every 64 ticks on
    /// average, each tried bucket every 16).
    /// Four, not eight: at 10,000 entries eight were a quarter of a tick's 3 ms of planning
    /// on the loop (perf, `Benchmarks attacks`). Outcomes without an address are
    /// forgotten when the address goes (`forgetDropped`), so this looks at addresses only.
    @discardableResult
    public mutating func pruneSome(
        buckets: Int = 4, now: Double, keeping: Set<PeerIP>, using generator: inout some RandomNumberGenerator
    ) -> Int {
        var doomed: [PeerIP] = []
        for table in [AddressManager.Table.new, .tried] {
            for _ in 0..<buckets {
                guard let entry = addresses.randomEntry(in: table, using: &generator) else { break }
                for ip in addresses.bucketMates(of: entry.ip) {
                    guard let mate = addresses[ip], isPrunable(mate, now: now, keeping: keeping) else { continue }
                    doomed.append(ip)
                }
            }
        }
        let unique = Array(Set(doomed))
        forget(unique, now: now)
        return unique.count
    }

    private func isPrunable(_ entry: AddressManager.Entry, now: Double, keeping: Set<PeerIP>) -> Bool {
        guard !entry.isOperatorGiven, !keeping.contains(entry.ip) else { return false }
        let outcome = outcomes[entry.ip]
        if let until = outcome?.bannedUntil, until > now { return false }
        let failures = outcome?.failures ?? 0
        let failing =
            entry.lastSuccess.map { failures >= Self.pruneAfterFailures && now - $0 > Self.pruneAfterSilence }
            ?? (failures >= Self.pruneAfterFailuresNeverConnected)
        // Not the address manager's "terrible" (unseen for 30 days): a node that was off for a
        // month would forget its whole book at start. Terrible entries give way to newcomers
        // in their buckets and are never shared; only failures make a peer forgotten here.
        return failing
    }

    private mutating func forget(_ doomed: [PeerIP], now: Double) {
        for ip in doomed {
            addresses.remove(ip)
            if outcomes[ip]?.holdsPenalty(now: now) != true { outcomes[ip] = nil }
        }
    }

    /// Readies a book loaded from peers.json for this run: its entries come from the
    /// `peer_book` (a `direct` peer stays direct: the operator asked to keep it; seeds are
    /// named again by the configuration if they still are seeds), and cooldowns set by an
    /// incompatible handshake are dropped, since the node may have been restarted precisely
    /// to fix its own chain id or genesis.
    public mutating func prepareForStart() {
        for (ip, entry) in addresses.entries where entry.origin != .direct { addresses.setOrigin(ip, .peerBook) }
        for (ip, outcome) in outcomes {
            if let reason = outcome.lastReason, Self.isIncompatibility(ReasonCode(rawValue: reason)) {
                outcomes[ip]?.cooldownUntil = nil
            }
        }
    }

    /// The most records without an address (inbound violators' penalties) the book keeps:
    /// each takes a connection from a new IP to make, and IPs are cheap (an IPv6 /64 holds
    /// 2^64), so without a bound they would grow the book without limit.
    public static let maximumPortlessRecords = 10_000
    /// How often a full book of them is swept (O(book log book)), at most.
    static let portlessSweepInterval: Double = 60

    /// Records without an address: every address has an outcome, so the rest are these.
    var portlessCount: Int { max(0, outcomes.count - addresses.count) }

    /// True if one more port-less record fits. At the bound, at most once a minute, the
    /// oldest port-less records without a ban in force go (down to 90 % of the bound); bans
    /// are kept. Until room is made, a new violator's first offence is not recorded: its
    /// connection is closed all the same, only its road to a ban starts later.
    mutating func makeRoomForPortlessRecord(now: Double) -> Bool {
        guard portlessCount >= Self.maximumPortlessRecords else { return true }
        guard now - lastPortlessSweep >= Self.portlessSweepInterval else { return false }
        lastPortlessSweep = now
        let unbanned = outcomes.filter { addresses[$0.key] == nil && !(($0.value.bannedUntil ?? 0) > now) }
            .sorted { ($0.value.firstSeen, $0.key) < ($1.value.firstSeen, $1.key) }
        let excess = portlessCount - Self.maximumPortlessRecords * 9 / 10
        for (ip, _) in unbanned.prefix(max(0, excess)) { outcomes[ip] = nil }
        return portlessCount < Self.maximumPortlessRecords
    }
}
