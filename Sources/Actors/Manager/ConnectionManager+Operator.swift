import Diagnostics
import Wire

/// What an operator does by hand through the debug endpoint: disconnect, ban, unban, and
/// one-shot dials. Each action is logged (`operator.*`) and a closed session carries the
/// reason `operator_disconnect` or `operator_ban` into the disconnect log and metrics.
extension ConnectionManager {
    /// Closes the session with `ip` as `operator_disconnect`; false if there is none.
    func operatorDisconnect(_ ip: PeerIP) -> Bool {
        let closed = disconnect(ip, reason: .operatorDisconnect)
        if closed { logger.log(.info, "operator.disconnect", peer: ip.description, reason: .operatorDisconnect) }
        return closed
    }

    /// Bans `ip` for `seconds` (through `ban`, the one way a ban is given by hand) and closes
    /// its session as `operator_ban`. Returns the end of the ban (unix seconds) and whether a
    /// session closed.
    func operatorBan(_ ip: PeerIP, seconds: Int) -> (until: Double, disconnected: Bool) {
        let connected = table.sessions[ip] != nil
        let until = ban(ip, seconds: Double(seconds), reason: "operator", code: .operatorBan)
        return (until, connected)
    }

    /// Lifts a ban in force; false if `ip` was not banned.
    func operatorUnban(_ ip: PeerIP) -> Bool {
        let lifted = unban(ip)
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
}
