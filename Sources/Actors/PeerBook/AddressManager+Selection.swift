import Wire

/// Choosing whom to dial, and what to tell others: at random, bucket first, never in IP
/// order, so neither the number of an attacker's addresses nor their values decide.
extension AddressManager {
    /// Draws before `select` falls back to scanning every entry (only when nearly all of
    /// them are excluded).
    static let maximumDraws = 4_096

    /// How willing we are to dial `entry` now, in 0...1 (addrman's GetChance, plus recency):
    /// a try in the last 10 minutes ×0.01, each failure since the last success ×0.66 (up to
    /// 8), not heard of for a day ×0.5.
    public func chance(of entry: Entry, now: Double) -> Double {
        var chance = 1.0
        if let lastTry = entry.lastTry, now - lastTry < 600 { chance *= 0.01 }
        for _ in 0..<min(max(entry.attempts, 0), 8) { chance *= 0.66 }
        if now - entry.lastSeen > 86_400 { chance *= 0.5 }
        return chance
    }

    /// One address to dial, or nil if none is eligible.
    ///
    /// Picks alternate between tried and new (tried first; the other table when one has
    /// nothing eligible), so at most every other pick can come from new, where all gossip
    /// lands: an attacker who only talks to us cannot hold more than half of the picks while
    /// tried holds peers we reached ourselves. In that table: a random non-empty bucket, a
    /// random entry in it, taken with its `chance`, raised ×1.2 after each refusal so the draw
    /// always ends. Entries in `excludingGroups` are never returned: pass the groups of the
    /// current outbound peers for one outbound per /16 off-LAN (on a LAN, pass none).
    /// `newOnly` draws from new alone (a feeler) and leaves the alternation as it was.
    /// Skips nothing else: the caller filters sessions, bans and cooldowns by excluding
    /// their groups or by drawing again.
    public mutating func select(
        excludingGroups excluded: Set<NetworkGroup> = [], newOnly: Bool = false, now: Double,
        using generator: inout some RandomNumberGenerator
    ) -> Entry? {
        let triedEligible = newOnly ? 0 : eligibleCount(in: .tried, excluding: excluded)
        let newEligible = eligibleCount(in: .new, excluding: excluded)
        guard triedEligible + newEligible > 0 else { return nil }
        let table: Table
        if triedEligible == 0 {
            table = .new
        } else if newEligible == 0 {
            table = .tried
        } else {
            table = nextFromTried ? .tried : .new
        }
        if !newOnly { nextFromTried = table == .new }
        var factor = 1.0
        for _ in 0..<Self.maximumDraws {
            guard let entry = randomEntry(in: table, using: &generator) else { break }
            if excluded.contains(group(of: entry.ip)) { continue }
            if Double.random(in: 0..<1, using: &generator) < factor * chance(of: entry, now: now) { return entry }
            factor *= 1.2
        }
        // Nearly everything was excluded: weigh the few eligible entries of that table directly.
        let eligible = entries.values.filter { $0.table == table && !excluded.contains(group(of: $0.ip)) }
        return weightedPick(eligible, now: now, using: &generator)
    }

    /// The caller did not dial the entry `select` returned from `table` (a cooldown, a ban,
    /// a session): the next `select` draws from that table again, so a skipped tried pick does
    /// not hand its turn to new, where all gossip lands.
    public mutating func redraw(from table: Table) {
        nextFromTried = table == .tried
    }

    /// Up to `limit` distinct addresses worth sharing (a PeerList answer, a refusal's list),
    /// drawn bucket first from both tables; terrible entries are left out. O(limit) draws.
    public func sample(limit: Int, now: Double, using generator: inout some RandomNumberGenerator) -> [SocketAddress] {
        guard limit > 0, !entries.isEmpty else { return [] }
        var chosen: [SocketAddress] = []
        var seen: Set<PeerIP> = []
        let tables = [Table.tried, .new].filter { !(buckets[$0]?.isEmpty ?? true) }
        for _ in 0..<(limit.multipliedReportingOverflow(by: 4).overflow ? Int.max : limit * 4) {
            guard chosen.count < limit, let table = tables.randomElement(using: &generator) else { break }
            guard let entry = randomEntry(in: table, using: &generator), !seen.contains(entry.ip) else { continue }
            seen.insert(entry.ip)
            if !isTerrible(entry, now: now) { chosen.append(entry.address) }
            if seen.count == entries.count { break }
        }
        return chosen
    }

    /// Entries of `table` outside the excluded groups, from the per-table and per-group
    /// counts: O(excluded).
    func eligibleCount(in table: Table, excluding excluded: Set<NetworkGroup>) -> Int {
        let counts = groupCounts[table] ?? [:]
        return (tableCounts[table] ?? 0) - excluded.reduce(0) { $0 + (counts[$1] ?? 0) }
    }

    /// A random entry of a random non-empty bucket of `table`. A bucket number is drawn until
    /// one holds entries (uniform over the non-empty ones, as addrman's draw): O(1) on a
    /// filled table, where picking from the dictionary's values walked half of it each time.
    /// A sparse table falls back to that walk after a few misses.
    func randomEntry(in table: Table, using generator: inout some RandomNumberGenerator) -> Entry? {
        guard let held = buckets[table], !held.isEmpty else { return nil }
        let count = table == .new ? configuration.newBuckets : configuration.triedBuckets
        var bucket: [Int: PeerIP]?
        for _ in 0..<8 where bucket == nil {
            bucket = held[Int.random(in: 0..<count, using: &generator)]
        }
        guard let bucket = bucket ?? held.values.randomElement(using: &generator),
            let ip = bucket.values.randomElement(using: &generator)
        else { return nil }
        return entries[ip]
    }

    private func weightedPick(_ candidates: [Entry], now: Double, using generator: inout some RandomNumberGenerator)
        -> Entry?
    {
        let weights = candidates.map { chance(of: $0, now: now) }
        let total = weights.reduce(0, +)
        guard total > 0 else { return candidates.randomElement(using: &generator) }
        var point = Double.random(in: 0..<total, using: &generator)
        for (candidate, weight) in zip(candidates, weights) {
            if point < weight { return candidate }
            point -= weight
        }
        return candidates.last
    }
}
