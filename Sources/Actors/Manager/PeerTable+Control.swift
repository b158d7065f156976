import Wire

extension PeerTable {
    /// Bans `ip` until `until` (Unix seconds) on the application's or an operator's word: its
    /// session, if any, is closed as `peer_banned`, and dials and accepts are refused until
    /// then. The IP enters the book if it was not there (a ban must outlive the session).
    /// The caller logs and announces it (no `banned` report: that one means rules broken).
    public mutating func ban(_ ip: PeerIP, until: Double, port: UInt16, now: Double) -> [Action] {
        if book[ip] == nil { book.add(SocketAddress(ip: ip.address, port: port), source: .handshake, now: now) }
        guard var record = book[ip] else {
            // The book is full and would not take it: still close the session.
            return close(ip, reason: .peerBanned)
        }
        record.bannedUntil = until
        book.overwrite(record)
        return close(ip, reason: .peerBanned)
    }

    /// Lifts a ban; false if the IP was not banned at `now`.
    public mutating func unban(_ ip: PeerIP, now: Double) -> Bool {
        guard var record = book[ip], let until = record.bannedUntil, until > now else { return false }
        record.bannedUntil = nil
        record.violations = 0
        book.overwrite(record)
        return true
    }
}
