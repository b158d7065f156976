import Wire

/// Who we talk to: the known addresses in two tables, in the shape of Bitcoin Core's
/// addrman (src/addrman.cpp), so that no outsider can choose our outbound peers.
///
/// - **new**: addresses heard of (gossip, seeds, inbound handshakes), never connected by us.
///   Placed by a keyed hash of (address group, *source* group) into one of only
///   `newBucketsPerSourceGroup` buckets per source group: whatever one source says, and
///   however many /16s it spreads over, it fills a small fixed share of the table.
/// - **tried**: addresses *we* dialed successfully (`markGood`). Placed by a keyed hash of the
///   address group. An inbound session never makes an address tried: only work we did.
///
/// The key is a per-install secret (`SipHashKey`, persisted by the owner), so an attacker
/// cannot compute which buckets its addresses land in or collide with. Selection
/// (`select`, AddressManager+Selection.swift) is random, never in IP order: it alternates
/// tried and new, takes a random non-empty bucket, a random entry in it, accepted with a
/// chance that falls with recent tries and failures. A port learned from a handshake, a successful
/// connect or the operator is pinned: gossip cannot change it.
///
/// A value type with injected time (`now`, seconds on the wall clock persisted with the
/// entries) and injected randomness: the owner (the Maintainer, later) calls it from one
/// actor, and tests drive it with a manual clock and a seeded generator.
public struct AddressManager: Sendable, Equatable {
    /// Table sizes; the defaults hold 10,240 addresses.
    public struct Configuration: Sendable, Equatable {
        public var newBuckets: Int
        public var triedBuckets: Int
        /// Positions per bucket (both tables).
        public var bucketSize: Int
        /// How many new buckets one source group can reach: its cap is this × `bucketSize`.
        public var newBucketsPerSourceGroup: Int
        /// How many tried buckets one address group can reach.
        public var triedBucketsPerGroup: Int
        /// Each address is its own group (`--lan`): on a LAN every peer shares one private /16
        /// by nature, so /16 groups would put the whole network in one bucket and one group.
        public var groupsByAddress: Bool

        public init(
            newBuckets: Int = 256, triedBuckets: Int = 64, bucketSize: Int = 32, newBucketsPerSourceGroup: Int = 16,
            triedBucketsPerGroup: Int = 4, groupsByAddress: Bool = false
        ) {
            self.groupsByAddress = groupsByAddress
            self.newBuckets = max(1, newBuckets)
            self.triedBuckets = max(1, triedBuckets)
            self.bucketSize = max(1, bucketSize)
            self.newBucketsPerSourceGroup = max(1, newBucketsPerSourceGroup)
            self.triedBucketsPerGroup = max(1, triedBucketsPerGroup)
        }
    }

    /// Which table an entry is in.
    public enum Table: Sendable, Equatable, Codable {
        case new, tried
    }

    /// One known address and what we know of it.
    public struct Entry: Sendable, Equatable {
        public var address: SocketAddress
        /// How we first heard of it.
        public var origin: PeerSource
        /// The group of whoever told us (the address's own group when it told us itself).
        public var sourceGroup: NetworkGroup
        /// The port came from the peer itself, our own successful dial or the operator:
        /// gossip cannot change it.
        public var portPinned: Bool
        public var table: Table
        /// When we last heard the address was alive (added, gossiped again, connected).
        public var lastSeen: Double
        public var lastTry: Double?
        public var lastSuccess: Double?
        /// Dials since the last success (saturating).
        public var attempts: Int

        public init(
            address: SocketAddress, origin: PeerSource, sourceGroup: NetworkGroup, portPinned: Bool, table: Table,
            lastSeen: Double, lastTry: Double? = nil, lastSuccess: Double? = nil, attempts: Int = 0
        ) {
            self.address = address
            self.origin = origin
            self.sourceGroup = sourceGroup
            self.portPinned = portPinned
            self.table = table
            self.lastSeen = lastSeen
            self.lastTry = lastTry
            self.lastSuccess = lastSuccess
            self.attempts = attempts
        }

        public var ip: PeerIP { PeerIP(address.ip) }
        public var group: NetworkGroup { NetworkGroup(address.ip) }
        /// Given by the operator (`--peer`, `--seed`): never pruned, wins bucket collisions.
        public var isOperatorGiven: Bool { origin == .seed || origin == .direct }
    }

    /// What `add` did.
    public enum AddOutcome: Sendable, Equatable {
        case added
        /// Known already; its port was changed (a pinning source, or a failing gossip port).
        case portUpdated
        /// Known already; nothing changed but its last-seen time.
        case alreadyKnown
        /// Gossip named another port for an address whose port is pinned.
        case refusedPinnedPort
        /// Its bucket position holds a good entry (a source's share of the table is full there).
        case refusedBucketTaken
    }

    /// Where an entry sits: a table, a bucket and a position in it.
    struct Slot: Hashable, Sendable {
        var table: Table
        var bucket: Int
        var position: Int
    }

    public let configuration: Configuration
    /// The per-install secret behind every bucket and position.
    public let key: SipHashKey
    public internal(set) var entries: [PeerIP: Entry] = [:]
    /// Occupied positions: per table, bucket → position → address.
    var buckets: [Table: [Int: [Int: PeerIP]]] = [.new: [:], .tried: [:]]
    /// Entries per table and address group, so a selection that excludes groups knows at
    /// once whether anything is left to pick.
    var groupCounts: [Table: [NetworkGroup: Int]] = [.new: [:], .tried: [:]]
    /// Entries per table, kept beside `groupCounts` so that no count is a sum over it: with
    /// `groupsByAddress` every address is its own group, and each `select` summed the book.
    var tableCounts: [Table: Int] = [.new: 0, .tried: 0]
    var slots: [PeerIP: Slot] = [:]
    /// Whether the next `select` draws from tried (they alternate).
    var nextFromTried = true
    /// The operator-given entries (seeds, direct peers), so that the planner finds them
    /// without a pass over the table.
    public internal(set) var operatorGiven: Set<PeerIP> = []
    /// Entries this value let go by itself (a terrible incumbent taken over, a displaced tried
    /// entry with no room in new), for the owner to forget what it keeps beside them; the
    /// owner empties it (`takeDropped`).
    var dropped: [PeerIP] = []

    public init(key: SipHashKey, configuration: Configuration = Configuration()) {
        self.key = key
        self.configuration = configuration
    }

    /// The capacity a book restored with `count` entries is given: every position of both
    /// tables once it holds a quarter of them. Growing a dictionary rehashes all of it in one
    /// call: a restored 10,000-entry book that the next PeerList pushed over the line held the
    /// loop ~4 ms. A small book is not given the room: its few entries, spread by hash over
    /// the whole storage, would make most of its pages resident.
    static func reservedCapacity(_ configuration: Configuration, holding count: Int) -> Int {
        let positions = min((configuration.newBuckets + configuration.triedBuckets) * configuration.bucketSize, 1 << 16)
        return count >= positions / 4 ? positions : count
    }

    /// Rebuilds the tables from persisted entries (each re-placed by this key; an entry
    /// whose position is taken goes to new, or is dropped if new has no room either).
    public init(key: SipHashKey, configuration: Configuration = Configuration(), restoring saved: [Entry]) {
        self.init(key: key, configuration: configuration)
        entries.reserveCapacity(Self.reservedCapacity(configuration, holding: saved.count))
        slots.reserveCapacity(Self.reservedCapacity(configuration, holding: saved.count))
        // Tried first, most recently successful first: they have the best claim to a slot.
        let ordered = saved.sorted { a, b in
            if a.table != b.table { return a.table == .tried }
            return (a.lastSuccess ?? -.infinity, a.lastSeen) > (b.lastSuccess ?? -.infinity, b.lastSeen)
        }
        for var entry in ordered where entries[entry.ip] == nil && entry.lastSeen.isFinite {
            // A hand-edited file is outside input: impossible values are dropped, not trusted.
            if entry.lastTry?.isFinite == false { entry.lastTry = nil }
            if entry.lastSuccess?.isFinite == false { entry.lastSuccess = nil }
            entry.attempts = max(0, entry.attempts)
            if entry.table == .tried && entry.lastSuccess == nil { entry.table = .new }
            if entry.table == .tried, place(entry, in: .tried) { continue }
            entry.table = .new
            _ = place(entry, in: .new)
        }
    }

    /// The group `ip` counts in: its /16 (IPv6 /32), or the address itself with `groupsByAddress`.
    public func group(of ip: PeerIP) -> NetworkGroup {
        configuration.groupsByAddress ? NetworkGroup(wholeAddress: ip.address) : NetworkGroup(ip)
    }

    public var count: Int { entries.count }
    public var newCount: Int { tableCounts[.new] ?? 0 }
    public var triedCount: Int { tableCounts[.tried] ?? 0 }

    public subscript(ip: PeerIP) -> Entry? { entries[ip] }

    /// An address heard of. `source` is who told us (for `.handshake`, the peer itself);
    /// seeds, direct peers and handshakes pin the port, gossip never does.
    public mutating func add(_ address: SocketAddress, source: PeerIP, origin: PeerSource, now: Double)
        -> AddOutcome
    {
        let ip = PeerIP(address.ip)
        let pins = origin == .seed || origin == .direct || origin == .handshake
        if var entry = entries[ip] {
            entry.lastSeen = max(entry.lastSeen, now)
            // The operator naming a known address makes it theirs (never pruned).
            if origin < entry.origin { entry.origin = origin }
            if entry.isOperatorGiven { operatorGiven.insert(ip) }
            defer { entries[ip] = entry }
            guard entry.address.port != address.port else {
                if pins { entry.portPinned = true }
                return .alreadyKnown
            }
            if pins {
                entry.address = address
                entry.portPinned = true
                entry.attempts = 0
                return .portUpdated
            }
            if entry.portPinned { return .refusedPinnedPort }
            // Two gossiped ports: the first is kept until it fails, then another may replace
            // it. So a liar who is heard first costs one failed dial, not the address.
            guard entry.lastSuccess == nil, entry.attempts > 0 else { return .alreadyKnown }
            entry.address = address
            entry.attempts = 0
            entry.lastTry = nil
            return .portUpdated
        }
        let sourceGroup = origin == .handshake ? group(of: ip) : group(of: source)
        let entry = Entry(
            address: address, origin: origin, sourceGroup: sourceGroup, portPinned: pins, table: .new, lastSeen: now)
        return place(entry, in: .new, now: now) ? .added : .refusedBucketTaken
    }

    /// The listen address an inbound peer gave in its handshake: known with its port pinned,
    /// but in new (an inbound session proves nothing about whether *we* can reach it).
    @discardableResult
    public mutating func learnedFromHandshake(_ address: SocketAddress, now: Double) -> AddOutcome {
        add(address, source: PeerIP(address.ip), origin: .handshake, now: now)
    }

    /// A dial to `ip` is starting (or failed): it counts against the entry's chance.
    public mutating func markAttempt(_ ip: PeerIP, now: Double) {
        guard var entry = entries[ip] else { return }
        entry.lastTry = now
        entry.attempts = entry.attempts == .max ? .max : entry.attempts + 1
        entries[ip] = entry
    }

    /// *We* dialed `address` and completed the handshake (outbound only, never inbound): it
    /// moves to tried with its port pinned (an address not known yet, which we dial only on
    /// the operator's word, is entered as `.direct`). An entry displaced from its tried position goes
    /// back to new (or is dropped if its new position is taken by a good entry).
    public mutating func markGood(_ address: SocketAddress, now: Double) {
        let ip = PeerIP(address.ip)
        var entry =
            entries[ip]
            ?? Entry(
                address: address, origin: .direct, sourceGroup: group(of: ip), portPinned: true, table: .new,
                lastSeen: now)
        entry.address = address
        entry.portPinned = true
        entry.lastSeen = max(entry.lastSeen, now)
        entry.lastTry = now
        entry.lastSuccess = now
        entry.attempts = 0
        if entries[ip] != nil { unplace(ip) }
        entry.table = .tried
        let slot = self.slot(for: entry, in: .tried)
        if freePosition(near: slot) == nil, let occupant = occupant(of: slot), var displaced = entries[occupant] {
            // A full bucket: the newly good address takes its hashed position, and the one
            // there goes back to new (or is dropped if its new bucket has no room either).
            unplace(occupant)
            displaced.table = .new
            if !place(displaced, in: .new, now: now) { dropped.append(occupant) }
        }
        _ = place(entry, in: .tried, now: now)
    }

    /// Changes how `ip` counts as heard of (a loaded book's entries become `peer_book`; a
    /// one-shot connect gives the address back its old source).
    public mutating func setOrigin(_ ip: PeerIP, _ origin: PeerSource) {
        guard var entry = entries[ip] else { return }
        entry.origin = origin
        entries[ip] = entry
        if entry.isOperatorGiven { operatorGiven.insert(ip) } else { operatorGiven.remove(ip) }
    }

    /// The IPs let go since the last call (see `dropped`).
    mutating func takeDropped() -> [PeerIP] {
        defer { dropped.removeAll() }
        return dropped
    }

    /// Forgets `ip` (a ban, or the operator's wish).
    public mutating func remove(_ ip: PeerIP) {
        unplace(ip)
    }
}
