import Wire

/// Bucket placement: where an entry may sit, by the keyed hash, and the rules for taking a
/// position that is already held.
extension AddressManager {
    /// Domain tags, so the hashes for different purposes never coincide.
    private enum Tag: UInt64 {
        case newGroupChoice = 0x6E65_775F_6772_6F75  // which of the source group's buckets
        case newBucket = 0x6E65_775F_6275_636B
        case triedGroupChoice = 0x7472_795F_6772_6F75
        case triedBucket = 0x7472_795F_6275_636B
        case position = 0x706F_7369_7469_6F6E
    }

    /// The address as hash input: family, high and low words (the port is not part of it:
    /// a peer is its IP).
    static func words(_ ip: PeerIP) -> (UInt64, UInt64, UInt64) {
        switch ip.address {
        case .v4(let value): return (4, 0, UInt64(value))
        case .v6(let high, let low): return (6, high, low)
        }
    }

    /// The one position `entry` may take in `table`.
    func slot(for entry: Entry, in table: Table) -> Slot {
        let (family, high, low) = Self.words(entry.ip)
        let group = self.group(of: entry.ip).value
        let bucket: Int
        switch table {
        case .new:
            // A source group reaches only `newBucketsPerSourceGroup` buckets, whatever groups
            // its addresses claim: its share of the table is bounded by construction.
            let choice =
                key.hash(words: Tag.newGroupChoice.rawValue, group, entry.sourceGroup.value)
                % UInt64(configuration.newBucketsPerSourceGroup)
            bucket = Int(
                key.hash(words: Tag.newBucket.rawValue, entry.sourceGroup.value, choice)
                    % UInt64(configuration.newBuckets))
        case .tried:
            let choice =
                key.hash(words: Tag.triedGroupChoice.rawValue, family, high, low)
                % UInt64(configuration.triedBucketsPerGroup)
            bucket = Int(key.hash(words: Tag.triedBucket.rawValue, group, choice) % UInt64(configuration.triedBuckets))
        }
        let position = key.hash(
            words: Tag.position.rawValue, table == .new ? 0 : 1, UInt64(bucket), family, high, low)
        return Slot(table: table, bucket: bucket, position: Int(position % UInt64(configuration.bucketSize)))
    }

    /// Every address in the bucket `ip` sits in (itself included).
    func bucketMates(of ip: PeerIP) -> [PeerIP] {
        guard let slot = slots[ip] else { return [] }
        return Array((buckets[slot.table]?[slot.bucket] ?? [:]).values)
    }

    func occupant(of slot: Slot) -> PeerIP? {
        buckets[slot.table]?[slot.bucket]?[slot.position]
    }

    /// Puts `entry` in its bucket of `table`: at its hashed position, or the next free one in
    /// the same bucket (a collision of two addresses should not cost either of them while the
    /// bucket has room; the bucket, and so a source's share, is what the hash fixes). In a full
    /// bucket the hashed position is taken over only from a terrible entry (with `now`), or by
    /// an operator-given entry from one that is not; otherwise the newcomer is refused
    /// (returns false), as addrman keeps the incumbent.
    mutating func place(_ entry: Entry, in table: Table, now: Double? = nil) -> Bool {
        var entry = entry
        entry.table = table
        if entries[entry.ip] != nil { unplace(entry.ip) }
        var slot = slot(for: entry, in: table)
        if let free = freePosition(near: slot) {
            slot.position = free
        } else if let holder = occupant(of: slot), let incumbent = entries[holder] {
            let replaceable =
                (entry.isOperatorGiven && !incumbent.isOperatorGiven)
                || (now.map { isTerrible(incumbent, now: $0) } ?? false)
            guard replaceable else { return false }
            unplace(holder)
            dropped.append(holder)
        }
        entries[entry.ip] = entry
        slots[entry.ip] = slot
        buckets[table, default: [:]][slot.bucket, default: [:]][slot.position] = entry.ip
        groupCounts[table, default: [:]][group(of: entry.ip), default: 0] += 1
        tableCounts[table, default: 0] += 1
        if entry.isOperatorGiven { operatorGiven.insert(entry.ip) }
        return true
    }

    /// The first free position of `slot`'s bucket, from `slot.position` on (wrapping).
    func freePosition(near slot: Slot) -> Int? {
        let held = buckets[slot.table]?[slot.bucket] ?? [:]
        guard held.count < configuration.bucketSize else { return nil }
        for step in 0..<configuration.bucketSize {
            let position = (slot.position + step) % configuration.bucketSize
            if held[position] == nil { return position }
        }
        return nil
    }

    /// Removes `ip` from its table and from the entries.
    mutating func unplace(_ ip: PeerIP) {
        guard let entry = entries.removeValue(forKey: ip), let slot = slots.removeValue(forKey: ip) else { return }
        operatorGiven.remove(ip)
        buckets[slot.table]?[slot.bucket]?[slot.position] = nil
        if buckets[slot.table]?[slot.bucket]?.isEmpty == true { buckets[slot.table]?[slot.bucket] = nil }
        let group = group(of: entry.ip)
        let remaining = (groupCounts[slot.table]?[group] ?? 1) - 1
        groupCounts[slot.table]?[group] = remaining > 0 ? remaining : nil
        tableCounts[slot.table, default: 1] -= 1
    }
}
