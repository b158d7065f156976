/// One session as eviction sees it: a snapshot the manager takes of its table.
public struct EvictionCandidate: Sendable, Equatable {
    /// The session's id (what the caller closes with `evicted`).
    public var id: UInt64
    public var ip: PeerIP
    public var direction: Direction
    /// Dialed because the operator asked (`--peer`, a manual connect): never evicted.
    public var isManual: Bool
    /// When the session was established, seconds on any clock shared by all candidates.
    public var connectedAt: Double
    /// The lowest ping round trip seen on the session, seconds (nil: none measured yet).
    public var minimumPing: Double?
    /// When the peer last did useful work for us (sent an application payload we took),
    /// seconds on the same clock (nil: never).
    public var lastUsefulActivity: Double?

    public init(
        id: UInt64, ip: PeerIP, direction: Direction, isManual: Bool = false, connectedAt: Double,
        minimumPing: Double? = nil, lastUsefulActivity: Double? = nil
    ) {
        self.id = id
        self.ip = ip
        self.direction = direction
        self.isManual = isManual
        self.connectedAt = connectedAt
        self.minimumPing = minimumPing
        self.lastUsefulActivity = lastUsefulActivity
    }
}

/// Which inbound peer makes room for a newcomer when inbound is full, in the shape of
/// Bitcoin Core's SelectNodeToEvict (src/node/eviction.cpp): the peers an attacker cannot
/// cheaply imitate are protected first, and the victim is the youngest peer of the most
/// crowded network group, so an attacker's sessions mostly evict each other.
public enum EvictionPolicy {
    /// How many peers each rule protects.
    public struct Protection: Sendable, Equatable {
        /// Peers from this many network groups, chosen by a keyed hash of the group.
        public var byNetworkGroup: Int
        /// The peers with the lowest minimum ping (distance cannot be faked from afar).
        public var byLowestPing: Int
        /// The peers that most recently did useful work (work costs the attacker).
        public var byRecentActivity: Int
        /// This share of whoever is left, the longest connected (time cannot be bought).
        public var longestUptimeShare: Double
        /// This share of the inbound sessions (rounded up) is never protected, whatever the
        /// rules above say. Core's fixed counts (4 + 8 + 4) leave half of its 117 inbound slots
        /// evictable; a node with 8 inbound slots would have none, and sybils holding them
        /// would keep every honest newcomer out.
        public var evictableShare: Double

        public init(
            byNetworkGroup: Int, byLowestPing: Int, byRecentActivity: Int, longestUptimeShare: Double,
            evictableShare: Double = 0
        ) {
            self.byNetworkGroup = max(0, byNetworkGroup)
            self.byLowestPing = max(0, byLowestPing)
            self.byRecentActivity = max(0, byRecentActivity)
            self.longestUptimeShare = longestUptimeShare.isFinite ? min(1, max(0, longestUptimeShare)) : 0
            self.evictableShare = evictableShare.isFinite ? min(1, max(0, evictableShare)) : 0
        }

        /// Bitcoin Core's numbers: 4 netgroups, 8 pings, 4 recent workers, half by uptime;
        /// and a quarter of the inbound sessions always evictable.
        public static let standard = Protection(
            byNetworkGroup: 4, byLowestPing: 8, byRecentActivity: 4, longestUptimeShare: 0.5, evictableShare: 0.25)
    }

    /// The session to evict so that a newcomer can have its inbound slot, or nil when every
    /// candidate is protected (then the newcomer is refused as `max_peers_reached`).
    ///
    /// Contract:
    /// - Outbound sessions and manual ones (`isManual`: `--peer`, an operator's connect) are
    ///   never returned, whatever the rest; an empty or all-protected list returns nil.
    /// - Protected, in this order, each rule over the peers the previous ones left (but never
    ///   more than leaves `evictableShare` of the inbound sessions unprotected):
    ///   one peer (the longest connected) from each of `byNetworkGroup` network groups, the
    ///   groups picked by `netgroupKey`'s SipHash of the group, so an attacker cannot know
    ///   which of its groups are safe (Core protects 4 *peers* by keyed netgroup, which may
    ///   share one group; here they come from distinct groups); the `byLowestPing` lowest
    ///   minimum pings (an unmeasured or non-finite ping protects nobody); the
    ///   `byRecentActivity` most recent useful workers; then `longestUptimeShare` of the
    ///   rest, longest connected first.
    /// - Of the rest, the network group with the most sessions is chosen (ties: the group
    ///   whose newest session is the youngest) and its youngest session is returned.
    /// - Session ids are unique in the snapshot; times are finite.
    /// - Pure and deterministic for a given key and snapshot: O(n log n), no clock, no I/O.
    ///   Ties between equal measures go to the older session (lower `connectedAt`, then
    ///   lower id), so a newcomer can never displace an equal incumbent from protection.
    public static func selectToEvict(
        _ candidates: [EvictionCandidate], netgroupKey: SipHashKey, protection: Protection = .standard
    ) -> EvictionCandidate? {
        var pool = candidates.filter { $0.direction == .inbound && !$0.isManual }
        let evictable = Int((Double(pool.count) * protection.evictableShare).rounded(.up))
        // How many the next rule may protect: its own count, but never into the evictable share.
        func room(_ count: Int) -> Int { min(count, max(0, pool.count - evictable)) }
        protectByNetworkGroup(&pool, count: room(protection.byNetworkGroup), key: netgroupKey)
        protect(&pool, count: room(protection.byLowestPing), eligible: { $0.minimumPing?.isFinite == true }) { a, b in
            (a.minimumPing ?? .infinity) < (b.minimumPing ?? .infinity)
        }
        let useful: (EvictionCandidate) -> Bool = { $0.lastUsefulActivity?.isFinite == true }
        protect(&pool, count: room(protection.byRecentActivity), eligible: useful) { a, b in
            (a.lastUsefulActivity ?? -.infinity) > (b.lastUsefulActivity ?? -.infinity)
        }
        let byUptime = Int((Double(pool.count) * protection.longestUptimeShare).rounded(.down))
        protect(&pool, count: room(byUptime), eligible: { _ in true }, better: isOlder)
        guard !pool.isEmpty else { return nil }

        var groups: [NetworkGroup: [EvictionCandidate]] = [:]
        for candidate in pool { groups[NetworkGroup(candidate.ip), default: []].append(candidate) }
        let crowded = groups.values.max { a, b in
            if a.count != b.count { return a.count < b.count }
            let (newestA, newestB) = (a.max(by: isOlder)!, b.max(by: isOlder)!)
            return isOlder(newestA, newestB)
        }
        return crowded?.max(by: isOlder)
    }

    /// True if `a` was connected before `b` (ties: the lower id is the older).
    static func isOlder(_ a: EvictionCandidate, _ b: EvictionCandidate) -> Bool {
        a.connectedAt != b.connectedAt ? a.connectedAt < b.connectedAt : a.id < b.id
    }

    /// Removes from `pool` the first `count` eligible candidates in `better` order (equal
    /// ones: the older first).
    private static func protect(
        _ pool: inout [EvictionCandidate], count: Int, eligible: (EvictionCandidate) -> Bool,
        better: (EvictionCandidate, EvictionCandidate) -> Bool
    ) {
        guard count > 0 else { return }
        let ranked = pool.filter(eligible).sorted { a, b in
            better(a, b) || (!better(b, a) && isOlder(a, b))
        }
        let protected = Set(ranked.prefix(count).map(\.id))
        pool.removeAll { protected.contains($0.id) }
    }

    /// Removes the longest-connected peer of each of the `count` groups ranked first by the
    /// keyed hash of the group.
    private static func protectByNetworkGroup(_ pool: inout [EvictionCandidate], count: Int, key: SipHashKey) {
        guard count > 0 else { return }
        var oldest: [NetworkGroup: EvictionCandidate] = [:]
        for candidate in pool {
            let group = NetworkGroup(candidate.ip)
            if let incumbent = oldest[group], isOlder(incumbent, candidate) { continue }
            oldest[group] = candidate
        }
        let chosen = oldest.keys.map { (group: $0, rank: key.hash(words: $0.value)) }
            .sorted { $0.rank != $1.rank ? $0.rank > $1.rank : $0.group < $1.group }
            .prefix(count)
        let protected = Set(chosen.compactMap { oldest[$0.group]?.id })
        pool.removeAll { protected.contains($0.id) }
    }
}
