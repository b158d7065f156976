import Wire

/// "Terrible" entries (addrman's IsTerrible): addresses not worth a slot or a dial.
extension AddressManager {
    /// Limits of what is worth keeping.
    enum Terrible {
        /// Not seen alive for this long (30 days).
        static let unseenFor = 30 * 86_400.0
        /// A last-seen time this far in the future is a lie (10 min).
        static let futureSkew = 600.0
        /// Never connected after this many tries.
        static let triesWithoutSuccess = 3
        /// Or this many tries since a success older than a week.
        static let triesSinceOldSuccess = 10
        static let oldSuccess = 7 * 86_400.0
        /// Tried within this minute: never terrible yet (let the try finish).
        static let graceAfterTry = 60.0
    }

    /// Whether `entry` deserves no slot: long unseen, claimed from the future, or failing.
    /// Operator-given entries are never terrible (the operator asked for them).
    public func isTerrible(_ entry: Entry, now: Double) -> Bool {
        if entry.isOperatorGiven { return false }
        if let lastTry = entry.lastTry, now - lastTry < Terrible.graceAfterTry, lastTry <= now { return false }
        if entry.lastSeen > now + Terrible.futureSkew { return true }
        if now - entry.lastSeen > Terrible.unseenFor { return true }
        if entry.lastSuccess == nil && entry.attempts >= Terrible.triesWithoutSuccess { return true }
        if let success = entry.lastSuccess, now - success > Terrible.oldSuccess,
            entry.attempts >= Terrible.triesSinceOldSuccess
        {
            return true
        }
        return false
    }

    /// Drops every terrible entry (both tables); returns their addresses.
    @discardableResult
    public mutating func pruneTerrible(now: Double) -> [SocketAddress] {
        let doomed = entries.values.filter { isTerrible($0, now: now) }
        for entry in doomed { unplace(entry.ip) }
        return doomed.map(\.address)
    }
}
