import Wire

/// The known peers: bounded, with cooldowns, bans and health, and a cap per /16 on
/// gossip-learned addresses so that one peer cannot flood the book.
///
/// A value type: the ConnectionManager owns it, persistence reads snapshots of it.
public struct PeerBook: Sendable, Equatable {
    public static let capacity = 10_000
    /// Gossip-learned entries allowed per IPv4 /16 (or IPv6 /32).
    public static let gossipPerGroup = 32
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

    public internal(set) var records: [PeerIP: PeerRecord] = [:]
    public let capacity: Int
    /// The first cooldown; it doubles per failure up to `maximumCooldown` (tests shorten it).
    public var cooldownBase: Double = PeerBook.baseCooldown
    /// Gossip entries allowed per network group. On a LAN (`--lan`) every peer shares one
    /// private /16 by nature, so the node raises it (see `lanGossipPerGroup`).
    public var gossipPerGroupLimit = PeerBook.gossipPerGroup
    /// The per-group cap with `--lan`.
    public static let lanGossipPerGroup = 1024

    public init(capacity: Int = PeerBook.capacity) {
        self.capacity = capacity
    }

    public var count: Int { records.count }

    public subscript(ip: PeerIP) -> PeerRecord? { records[ip] }

    /// Adds or refreshes an address. A stronger source replaces a weaker one; gossip is
    /// capped per network group and never evicts a better entry. Returns false if refused.
    /// `gossipInGroup`: the gossip entries of the address's group, when the caller counts
    /// them (``gossipCountsByGroup()``, once for a whole PeerList); else counted here, O(n).
    @discardableResult
    public mutating func add(
        _ address: SocketAddress, source: PeerSource, now: Double, gossipInGroup: Int? = nil
    ) -> Bool {
        let ip = PeerIP(address.ip)
        if var existing = records[ip] {
            if source <= existing.source || existing.address.port == 0 {
                existing.address = address
                existing.source = min(existing.source, source)
            }
            records[ip] = existing
            return true
        }
        if source == .gossip && (gossipInGroup ?? gossipCount(inGroupOf: address.ip)) >= gossipPerGroupLimit {
            return false
        }
        if records.count >= capacity && !evictOne(for: source) { return false }
        records[ip] = PeerRecord(address: address, source: source, firstSeen: now)
        return true
    }

    /// Stores `record` as it is, if its IP is known.
    mutating func overwrite(_ record: PeerRecord) {
        guard records[record.ip] != nil else { return }
        records[record.ip] = record
    }

    /// Forgets a peer.
    public mutating func remove(_ ip: PeerIP) {
        records[ip] = nil
    }

    public mutating func recordAttempt(_ ip: PeerIP, now: Double) {
        records[ip]?.lastAttempt = now
    }

    /// A session was established: cooldown and failures reset, health restored.
    public mutating func recordSuccess(_ ip: PeerIP, now: Double) {
        guard var record = records[ip] else { return }
        record.lastSuccess = now
        record.failures = 0
        record.cooldownUntil = nil
        record.health = 100
        record.lastReason = nil
        records[ip] = record
    }

    /// A dial or handshake failed: cooldown doubles from 30 s (10 min for an incompatible
    /// peer) to 1 h; repeated protocol violations lead to a ban.
    public mutating func recordFailure(_ ip: PeerIP, reason: ReasonCode, now: Double) {
        guard var record = records[ip] else { return }
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
        records[ip] = record
    }

    /// Skips the cooldown (`POST /api/p2p/connect`, `--peer`).
    public mutating func clearCooldown(_ ip: PeerIP) {
        records[ip]?.cooldownUntil = nil
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

    /// Counts per tier; `connected` are the peers with a session now.
    public func tierCounts(now: Double, connected: Set<PeerIP>) -> [PeerTier: Int] {
        var counts: [PeerTier: Int] = [.hot: 0, .warm: 0, .cold: 0]
        for (ip, record) in records {
            counts[record.tier(now: now, connected: connected.contains(ip)), default: 0] += 1
        }
        return counts
    }

    /// Gossip entries per network group, in one pass.
    func gossipCountsByGroup() -> [UInt64: Int] {
        var counts: [UInt64: Int] = [:]
        for record in records.values where record.source == .gossip {
            counts[Self.networkGroup(record.address.ip), default: 0] += 1
        }
        return counts
    }

    private func gossipCount(inGroupOf ip: IPAddress) -> Int {
        let group = Self.networkGroup(ip)
        return records.values.lazy.filter { $0.source == .gossip && Self.networkGroup($0.address.ip) == group }.count
    }

    /// IPv4 /16 or IPv6 /32.
    static func networkGroup(_ ip: IPAddress) -> UInt64 {
        switch ip {
        case .v4(let value): return UInt64(value >> 16)
        case .v6(let high, _): return (1 << 63) | (high >> 32)
        }
    }

    /// Makes room by dropping the least useful entry: never-connected gossip first, then
    /// the unhealthiest. Operator-given entries (direct, seed) and bans are never evicted
    /// (a ban evicted by a flood of addresses would be a ban lifted by the banned).
    private mutating func evictOne(for source: PeerSource) -> Bool {
        let victim = records.values
            .filter { $0.source > .seed && $0.source >= source && $0.lastSuccess == nil && $0.bannedUntil == nil }
            .min { ($0.health, $0.firstSeen) < ($1.health, $1.firstSeen) }
        guard let victim else { return false }
        records[victim.ip] = nil
        return true
    }

    /// Replaces every record (used when loading from disk).
    mutating func replaceAll(_ loaded: [PeerRecord]) {
        records = [:]
        for record in loaded.prefix(capacity) { records[record.ip] = record }
    }
}

/// Bans live in the peer book's records (`bannedUntil`), whoever set them: the node for
/// violations, the operator by hand. One list, so the dial decision, inbound admission, the
/// stats and `GET /api/p2p/bans` can never disagree.
extension PeerBook {
    /// Bans `ip` until `until` (unix seconds). An IP the book does not know gets a record
    /// without a port (never dialed: port 0 is `invalid_address`), which bans are never
    /// evicted from the book to make room.
    public mutating func ban(_ ip: PeerIP, until: Double, reason: ReasonCode, now: Double) {
        if records[ip] == nil {
            records[ip] = PeerRecord(address: SocketAddress(ip: ip.address, port: 0), source: .gossip, firstSeen: now)
        }
        records[ip]?.bannedUntil = until
        records[ip]?.lastReason = reason.rawValue
    }

    /// Lifts a ban in force; returns false if `ip` was not banned. A record that existed
    /// only to hold the ban is forgotten with it.
    @discardableResult
    public mutating func unban(_ ip: PeerIP, now: Double) -> Bool {
        guard var record = records[ip], let until = record.bannedUntil, until > now else { return false }
        if record.address.port == 0 && record.lastSuccess == nil {
            records[ip] = nil
            return true
        }
        record.bannedUntil = nil
        record.violations = 0
        record.cooldownUntil = nil
        records[ip] = record
        return true
    }

    /// Every ban in force, soonest to end first.
    public func bans(now: Double) -> [PeerRecord] {
        records.values.filter { ($0.bannedUntil ?? 0) > now }.sorted {
            ($0.bannedUntil ?? 0, $0.address.ip) < ($1.bannedUntil ?? 0, $1.address.ip)
        }
    }
}
