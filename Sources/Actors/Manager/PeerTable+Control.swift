import Wire

extension PeerTable {
    /// Bans `ip` until `until` (Unix seconds) on the application's or an operator's word: its
    /// session, if any, is closed with `reason` (`peer_banned`, or `operator_ban`), and dials
    /// and accepts are refused until then. The ban lives in the book (the one ban list), which
    /// keeps a record for an IP it did not know. The caller logs and announces it (no `banned`
    /// report: that one means rules broken).
    public mutating func ban(_ ip: PeerIP, until: Double, reason: ReasonCode, now: Double) -> [Action] {
        book.ban(ip, until: until, reason: reason, now: now)
        return close(ip, reason: reason)
    }

    /// Lifts a ban (and the violations and cooldown behind it); false if the IP was not
    /// banned at `now`.
    public mutating func unban(_ ip: PeerIP, now: Double) -> Bool {
        book.unban(ip, now: now)
    }
}
