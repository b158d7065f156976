import Diagnostics
import Wire

/// What an operator does by hand through the debug endpoint: disconnect, ban, unban, and
/// one-shot dials. Each action is logged (`operator.*`) and a closed session carries the
/// reason `operator_disconnect` or `operator_ban` into the disconnect log and metrics.
extension ConnectionManager {
    /// Closes every session with `ip` as `operator_disconnect`; false if there is none.
    func operatorDisconnect(_ ip: PeerIP) -> Bool {
        let closed = closeSessions(of: ip, reason: .operatorDisconnect)
        if closed {
            logger.log(
                .info, "operator.disconnect", peer: ip.description, reason: ReasonCode.operatorDisconnect.rawValue)
        }
        return closed
    }

    /// Bans `ip` for `seconds` in the peer book (the one ban list) and closes its sessions as
    /// `operator_ban`. Returns the end of the ban (unix seconds) and whether a session closed.
    func operatorBan(_ ip: PeerIP, seconds: Int) -> (until: Double, disconnected: Bool) {
        let now = Self.now()
        let until = now + Double(seconds)
        table.book.ban(ip, until: until, reason: .operatorBan, now: now)
        let closed = closeSessions(of: ip, reason: .operatorBan)
        logger.log(
            .warning, "operator.ban", peer: ip.description, reason: ReasonCode.operatorBan.rawValue,
            [("seconds", .int(seconds)), ("disconnected", .bool(closed))])
        return (until, closed)
    }

    /// Lifts a ban in force; false if `ip` was not banned.
    func operatorUnban(_ ip: PeerIP) -> Bool {
        let lifted = table.book.unban(ip, now: Self.now())
        if lifted { logger.log(.info, "operator.unban", peer: ip.description) }
        return lifted
    }

    /// Every ban in force.
    var bans: [PeerRecord] { table.book.bans(now: Self.now()) }

    /// The source the book has for `ip`, if it knows it.
    func knownSource(_ ip: PeerIP) -> PeerSource? {
        table.book[ip]?.source
    }

    /// After a one-shot `connect` (not `persist`): the address does not stay a `direct` peer.
    /// It goes back to what it was; an address the book did not know stays only if a session
    /// came of it (as a peer met by handshake), else it is forgotten.
    func endOneShot(_ ip: PeerIP, previous: PeerSource?) {
        guard var record = table.book[ip], record.source == .direct, previous != .direct else { return }
        if let previous {
            record.source = previous
        } else if table.sessions[ip] != nil {
            record.source = .handshake
        } else if record.bannedUntil == nil {
            table.book.remove(ip)
            return
        } else {
            record.source = .gossip
        }
        table.book.overwrite(record)
    }

    /// Closes the IP's session through the table (the one authority), so the registry and the
    /// counters follow in the same step.
    private func closeSessions(of ip: PeerIP, reason: ReasonCode) -> Bool {
        let actions = table.close(ip, reason: reason)
        perform(actions)
        return !actions.isEmpty
    }
}
