/// What happened when we dealt with one peer: the facts the address manager does not hold.
/// (Its address and port, table, when it was last tried and last reached are the
/// `AddressManager` entry's; a `PeerRecord` is the two seen together.)
struct PeerOutcome: Sendable, Equatable {
    /// Unix seconds.
    var firstSeen: Double
    /// Consecutive failures since the last success.
    var failures = 0
    var cooldownUntil: Double?
    var bannedUntil: Double?
    /// Protocol violations since the last ban.
    var violations = 0
    /// 0…100: 100 after a success, 15 lower per consecutive failure.
    var health = 100
    /// The last failure's reason code.
    var lastReason: String?

    init(firstSeen: Double) {
        self.firstSeen = firstSeen
    }

    init(_ record: PeerRecord) {
        firstSeen = record.firstSeen
        failures = record.failures
        cooldownUntil = record.cooldownUntil
        bannedUntil = record.bannedUntil
        violations = record.violations
        health = record.health
        lastReason = record.lastReason
    }

    /// Whether it holds something worth keeping for an IP the address manager has let go:
    /// a ban in force, or violations toward one.
    func holdsPenalty(now: Double) -> Bool {
        (bannedUntil ?? 0) > now || violations > 0
    }
}
