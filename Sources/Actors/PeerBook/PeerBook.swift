import Wire

/// The known peers, in two homes that never hold the same fact:
///
/// - `addresses` (`AddressManager`) decides *which* addresses we know, at which port (pinned
///   or not), in which table and bucket, when we last tried and last reached each one. It is
///   bounded by its buckets, so one source cannot flood it, and it is where the planner picks.
/// - `outcomes` (`PeerOutcome`) keeps what happened with each peer: failures, cooldown, ban,
///   violations, health, the last reason.
///
/// A `PeerRecord` is the two composed (`book[ip]`, `records`). An IP with an outcome but no
/// address (an inbound violator's ban, an address the manager let go) has port 0: never a
/// dial candidate, never shared. Bans live in outcomes, which no flood of addresses evicts.
///
/// A value type: the ConnectionManager owns it, persistence reads snapshots of it.
public struct PeerBook: Sendable, Equatable {
    /// The first cooldown; it doubles per failure up to `maximumCooldown`.
    public static let baseCooldown: Double = 30
    public static let maximumCooldown: Double = 3600
    /// The first cooldown after a chain id, genesis or version mismatch (doubling to
    /// `maximumCooldown`): the peer is on another network or ours is misconfigured; either way
    /// retrying soon is useless, and a ban would outlive the fix of our configuration.
    public static let incompatibleCooldown: Double = 600
    /// Protocol violations before a ban, and how long it lasts.
    public static let violationsBeforeBan = 3
    public static let banDuration: Double = 24 * 3600
    /// The longest ban the book keeps (an operator's included): ten years. A loaded ban
    /// further out is shortened to this.
    public static let maximumBanDuration: Double = 10 * 365 * 86_400
    /// Failures are counted up to this and no further: they come back from peers.json, which
    /// a person may have edited, so no count is trusted not to overflow.
    public static let maximumFailures = 1_000_000
    /// Connected within this many seconds counts as hot.
    public static let hotWindow: Double = 600
    /// Gossip peers below this health are skipped as `peer_unhealthy`.
    public static let unhealthyBelow = 10
    /// The source the operator's entries (`--peer`, seeds, manual connects) are bucketed
    /// under: one group of their own, apart from any peer's.
    static let operatorSource = PeerIP(IPAddress.v4(0))

    /// Which addresses we know, where, and how our dials to them went.
    public internal(set) var addresses: AddressManager
    /// What happened with each peer, by IP (see the type's comment).
    var outcomes: [PeerIP: PeerOutcome] = [:]
    /// When the port-less records were last swept to make room (PeerBook+Pruning.swift).
    var lastPortlessSweep = -Double.infinity
    /// The first cooldown; it doubles per failure up to `maximumCooldown` (tests shorten it).
    public var cooldownBase: Double = PeerBook.baseCooldown

    /// A book keyed by `key` (the per-install secret of the address manager's buckets).
    public init(key: SipHashKey = .random(), configuration: AddressManager.Configuration = .init()) {
        addresses = AddressManager(key: key, configuration: configuration)
    }

    /// Known IPs: every address, and every outcome kept without one (bans, violators). Every
    /// address has an outcome (each path that enters an address makes one, each that drops
    /// an address drops its outcome or keeps it for a penalty), so this is the outcomes' count.
    public var count: Int { outcomes.count }

    public subscript(ip: PeerIP) -> PeerRecord? { record(ip) }

    /// Every known peer as a record (O(n): for snapshots and reports, not per message).
    public var records: [PeerIP: PeerRecord] {
        var all: [PeerIP: PeerRecord] = [:]
        all.reserveCapacity(addresses.count)
        for ip in addresses.entries.keys { all[ip] = record(ip) }
        for ip in outcomes.keys where all[ip] == nil { all[ip] = record(ip) }
        return all
    }

    func record(_ ip: PeerIP) -> PeerRecord? {
        let entry = addresses[ip]
        let outcome = outcomes[ip]
        guard entry != nil || outcome != nil else { return nil }
        return PeerRecord(
            address: entry?.address ?? SocketAddress(ip: ip.address, port: 0), source: entry?.origin ?? .handshake,
            firstSeen: outcome?.firstSeen ?? entry?.lastSeen ?? 0, lastAttempt: entry?.lastTry,
            lastSuccess: entry?.lastSuccess, failures: outcome?.failures ?? 0, cooldownUntil: outcome?.cooldownUntil,
            bannedUntil: outcome?.bannedUntil, violations: outcome?.violations ?? 0, health: outcome?.health ?? 100,
            lastReason: outcome?.lastReason)
    }

    /// Adds or refreshes an address heard from `sender` (who told us: the gossiping peer; nil
    /// means the address itself for learned sources, the operator for `direct` and `seed`).
    /// The address manager decides whether it is kept (a source fills a bounded share of its
    /// buckets) and whether its port may change (gossip never moves a pinned port). Returns
    /// false if it was refused: it is then no dial candidate. A port-0 address only makes a
    /// record to hold a penalty (an inbound violator).
    @discardableResult
    public mutating func add(_ address: SocketAddress, source: PeerSource, from sender: PeerIP? = nil, now: Double)
        -> Bool
    {
        let ip = PeerIP(address.ip)
        if address.port != 0 {
            let told = sender ?? (source == .direct || source == .seed ? Self.operatorSource : ip)
            let outcome = addresses.add(address, source: told, origin: source, now: now)
            forgetDropped(now: now)
            if outcome == .refusedBucketTaken { return false }
        }
        if outcomes[ip] == nil {
            // A port-0 record is an inbound IP's penalty: anyone with many IPs can make them.
            if address.port == 0 && !makeRoomForPortlessRecord(now: now) { return false }
            outcomes[ip] = PeerOutcome(firstSeen: now)
        }
        return true
    }

    /// Stores `record` as it is, if its IP is known: each field goes to its one home.
    mutating func overwrite(_ record: PeerRecord) {
        let ip = record.ip
        guard addresses[ip] != nil || outcomes[ip] != nil else { return }
        outcomes[ip] = PeerOutcome(record)
        guard var entry = addresses[ip] else { return }
        if record.address.port != 0 { entry.address = record.address }
        entry.lastTry = record.lastAttempt
        entry.lastSuccess = record.lastSuccess
        addresses.entries[ip] = entry
        addresses.setOrigin(ip, record.source)
    }

    /// Forgets the outcomes of addresses the address manager let go by itself, unless they
    /// hold a penalty: no record lingers as a dial candidate or a second truth.
    mutating func forgetDropped(now: Double) {
        for ip in addresses.takeDropped() where addresses[ip] == nil {
            if outcomes[ip]?.holdsPenalty(now: now) != true { outcomes[ip] = nil }
        }
    }

    /// Forgets a peer.
    public mutating func remove(_ ip: PeerIP) {
        addresses.remove(ip)
        outcomes[ip] = nil
    }

    /// A dial of ours to `ip` starts.
    public mutating func recordAttempt(_ ip: PeerIP, now: Double) {
        addresses.markAttempt(ip, now: now)
    }

    /// Our dial to `ip` (at its known address) completed its handshake.
    public mutating func recordSuccess(_ ip: PeerIP, now: Double) {
        guard let address = addresses[ip]?.address else { return }
        recordSuccess(address, direction: .outbound, now: now)
    }

    /// A session was established: cooldown and failures reset, health restored. Only our own
    /// dial (`outbound`, at the address we dialed) moves the address to tried and pins its
    /// port; an inbound session proves nothing about whether we can reach the peer.
    public mutating func recordSuccess(_ address: SocketAddress, direction: Direction, now: Double) {
        let ip = PeerIP(address.ip)
        if direction == .outbound && address.port != 0 {
            // Known, unless the manager let it go while we dialed: then as if it told us itself.
            if addresses[ip] == nil { _ = addresses.add(address, source: ip, origin: .handshake, now: now) }
            if addresses[ip] != nil { addresses.markGood(address, now: now) }
            forgetDropped(now: now)
        }
        guard addresses[ip] != nil || outcomes[ip] != nil else { return }
        var outcome = outcomes[ip] ?? PeerOutcome(firstSeen: now)
        outcome.failures = 0
        outcome.cooldownUntil = nil
        outcome.health = 100
        outcome.lastReason = nil
        outcomes[ip] = outcome
    }

    /// A dial or handshake failed: cooldown doubles from 30 s (10 min for an incompatible
    /// peer) to 1 h; repeated protocol violations lead to a ban.
    public mutating func recordFailure(_ ip: PeerIP, reason: ReasonCode, now: Double) {
        guard var record = outcomes[ip] ?? addresses[ip].map({ PeerOutcome(firstSeen: $0.lastSeen) }) else { return }
        record.failures = Self.increment(record.failures, upTo: Self.maximumFailures)
        record.health = max(0, min(100, max(0, record.health)) - 15)
        record.lastReason = reason.rawValue
        let base = Self.isIncompatibility(reason) ? max(cooldownBase, Self.incompatibleCooldown) : cooldownBase
        record.cooldownUntil = now + Self.cooldown(afterFailures: record.failures, base: base)
        if Self.isViolation(reason) {
            record.violations = Self.increment(record.violations, upTo: Self.violationsBeforeBan)
            if record.violations >= Self.violationsBeforeBan {
                record.bannedUntil = now + Self.banDuration
                record.violations = 0
            }
        }
        outcomes[ip] = record
    }

    /// Skips the cooldown (`POST /api/p2p/connect`, `--peer`).
    public mutating func clearCooldown(_ ip: PeerIP) {
        outcomes[ip]?.cooldownUntil = nil
    }

    /// `value + 1`, kept within 0…`limit` whatever `value` was: saturates, never traps.
    static func increment(_ value: Int, upTo limit: Int) -> Int {
        value >= limit ? limit : max(0, value) + 1
    }

    /// 30 s, 60 s, 120 s, … capped at 1 h.
    public static func cooldown(afterFailures failures: Int, base: Double = baseCooldown) -> Double {
        // Clamped before subtracting: `failures` may be anything a hand-edited file held.
        min(maximumCooldown, base * Double(1 << (min(max(failures, 1), 21) - 1)))
    }

    /// Misbehaviour, which counts toward a ban. Only a broken protocol is: a peer of another
    /// chain or version is incompatible, not hostile (and the mistake may be ours).
    static func isViolation(_ reason: ReasonCode) -> Bool {
        reason == .protocolViolation
    }

    /// Reasons that say the peer is on another network (or we are): a long cooldown, no ban.
    public static func isIncompatibility(_ reason: ReasonCode) -> Bool {
        [.versionMismatch, .genesisMismatch, .chainIDMismatch, .incompatibleChain].contains(reason)
    }

    /// Counts per tier; `connected` are the peers with a session now. Read from the two homes
    /// directly, never through `records` (which composes every record: at 10,000 entries that
    /// held the reactor for milliseconds at every tick's report).
    public func tierCounts(now: Double, connected: Set<PeerIP>) -> [PeerTier: Int] {
        // One pass over the entries with no lookup per entry, then one lookup per outcome (this
        // runs for every /metrics and /health, on the loop); the few connected IPs are moved to
        // hot after, from the tier they were counted in.
        // The tier an entry is counted in before `connected` is looked at.
        func unconnectedTier(_ entry: AddressManager.Entry) -> PeerTier {
            PeerRecord.tier(lastSuccess: entry.lastSuccess, now: now, connected: false)
        }
        var counts: [PeerTier: Int] = [.hot: 0, .warm: 0, .cold: 0]
        var (hot, warm, cold) = (0, 0, 0)
        for entry in addresses.entries.values {
            switch unconnectedTier(entry) {
            case .hot: hot += 1
            case .warm: warm += 1
            case .cold: cold += 1
            }
        }
        // Known without an address (bans, violators): never reached by a dial of ours.
        for ip in outcomes.keys where addresses[ip] == nil { cold += 1 }
        (counts[.hot], counts[.warm], counts[.cold]) = (hot, warm, cold)
        for ip in connected {
            let counted = addresses[ip].map(unconnectedTier) ?? (outcomes[ip] != nil ? .cold : nil)
            guard let counted, counted != .hot else { continue }
            counts[counted, default: 0] -= 1
            counts[.hot, default: 0] += 1
        }
        return counts
    }

    /// How many known IPs are banned, cooling down (and not banned), and below
    /// `unhealthyBelow`, at `now`: from the outcomes alone, O(book) with no record composed.
    public func outcomeCounts(now: Double) -> (banned: Int, cooldown: Int, unhealthy: Int) {
        var counts = (banned: 0, cooldown: 0, unhealthy: 0)
        for outcome in outcomes.values {
            if let until = outcome.bannedUntil, until > now {
                counts.banned += 1
            } else if let until = outcome.cooldownUntil, until > now {
                counts.cooldown += 1
            }
            if outcome.health < Self.unhealthyBelow { counts.unhealthy += 1 }
        }
        return counts
    }

    /// IPv4 /16 or IPv6 /32.
    static func networkGroup(_ ip: IPAddress) -> UInt64 {
        NetworkGroup(ip).value
    }

    /// The same book with each address regrouped (`--lan`: by address; else by /16): the
    /// entries are placed again under the same key, the outcomes kept.
    func regrouped(byAddress: Bool) -> PeerBook {
        guard addresses.configuration.groupsByAddress != byAddress else { return self }
        var configuration = addresses.configuration
        configuration.groupsByAddress = byAddress
        var copy = self
        copy.addresses = AddressManager(
            key: addresses.key, configuration: configuration, restoring: Array(addresses.entries.values))
        for ip in addresses.entries.keys where copy.addresses[ip] == nil {
            if copy.outcomes[ip]?.holdsPenalty(now: 0) != true { copy.outcomes[ip] = nil }
        }
        return copy
    }

    /// Replaces everything (loading from disk): `loaded` records, each with its address
    /// manager entry when the file had one (a file of an older version has none: the address
    /// is then entered as the peer's own word, in new). Entries the tables have no room for
    /// are dropped, and their outcomes with them unless they hold a penalty.
    mutating func replaceAll(_ loaded: [PeerRecord], entries: [AddressManager.Entry?] = [], now: Double = 0) {
        var saved: [AddressManager.Entry] = []
        outcomes = [:]
        outcomes.reserveCapacity(AddressManager.reservedCapacity(addresses.configuration, holding: loaded.count))
        for (index, record) in loaded.enumerated() {
            outcomes[record.ip] = PeerOutcome(record)
            guard record.address.port != 0 else { continue }
            let entry =
                index < entries.count ? entries[index] : nil
            saved.append(
                entry
                    ?? AddressManager.Entry(
                        address: record.address, origin: record.source,
                        sourceGroup: addresses.group(of: record.ip),
                        portPinned: record.source == .direct || record.source == .seed, table: .new,
                        lastSeen: record.lastSuccess ?? record.firstSeen, lastTry: record.lastAttempt,
                        lastSuccess: record.lastSuccess))
        }
        addresses = AddressManager(key: addresses.key, configuration: addresses.configuration, restoring: saved)
        for ip in Array(outcomes.keys) where addresses[ip] == nil {
            if outcomes[ip]?.holdsPenalty(now: now) != true { outcomes[ip] = nil }
        }
    }
}

/// Bans live in the peer book's outcome records (`bannedUntil`), whoever set them: the node
/// for violations, the operator by hand. One list, so the dial decision, inbound admission,
/// the stats and `GET /api/p2p/bans` can never disagree.
extension PeerBook {
    /// Bans `ip` until `until` (unix seconds). An IP the book does not know gets an outcome
    /// record without an address (never dialed: port 0 is `invalid_address`); no flood of
    /// addresses can evict it, since addresses live in the address manager.
    public mutating func ban(_ ip: PeerIP, until: Double, reason: ReasonCode, now: Double) {
        var outcome = outcomes[ip] ?? PeerOutcome(firstSeen: now)
        outcome.bannedUntil = until
        outcome.lastReason = reason.rawValue
        outcomes[ip] = outcome
    }

    /// Lifts a ban in force; returns false if `ip` was not banned. A record that existed
    /// only to hold the ban is forgotten with it.
    @discardableResult
    public mutating func unban(_ ip: PeerIP, now: Double) -> Bool {
        guard var outcome = outcomes[ip], let until = outcome.bannedUntil, until > now else { return false }
        if addresses[ip] == nil {
            outcomes[ip] = nil
            return true
        }
        outcome.bannedUntil = nil
        outcome.violations = 0
        outcome.cooldownUntil = nil
        outcomes[ip] = outcome
        return true
    }

    /// Every ban in force, soonest to end first.
    public func bans(now: Double) -> [PeerRecord] {
        outcomes.filter { ($0.value.bannedUntil ?? 0) > now }.compactMap { record($0.key) }.sorted {
            ($0.bannedUntil ?? 0, $0.address.ip) < ($1.bannedUntil ?? 0, $1.address.ip)
        }
    }

    /// Whether `ip` is banned at `now`.
    func isBanned(_ ip: PeerIP, now: Double) -> Bool {
        (outcomes[ip]?.bannedUntil ?? 0) > now
    }
}
