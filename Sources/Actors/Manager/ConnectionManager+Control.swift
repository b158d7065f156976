import Wire

extension ConnectionManager {
    /// Turns a table report into the application's peer event, if it is one. `peer` is the
    /// connection in hand: the one that connected, or whose session ended.
    func publish(_ event: PeerTable.Event, peer: PeerConnection?) {
        switch event {
        case .connected(_, let id, _, _):
            guard let peer, peer.id == id else { return }
            // Same reactor as this actor: the peer's state is reachable synchronously.
            if let connected = peer.assumeIsolated({ $0.connectedPeer }) { events.yield(.connected(connected)) }
        case .disconnected(let ip, let id, let direction, let reason):
            guard let peer, peer.id == id else { return }
            let (local, remoteReason) = peer.assumeIsolated { ($0.closeReason != nil, $0.remoteReason) }
            events.yield(
                .disconnected(
                    DisconnectedPeer(
                        ip: ip, direction: direction, endedBy: local ? .local : .remote, reason: reason,
                        remoteReason: remoteReason)))
        case .banned(let ip, let until):
            // The table bans by itself only for broken rules; `ban` announces its own bans.
            events.yield(.banned(ip, until: until, reason: "protocol_violations"))
        case .dialFailed, .inboundHandshakeFailed, .duplicateClosed:
            break
        }
    }

    /// Closes the IP's session from our side (`reason`, `local_disconnect` by default);
    /// false if it had none.
    func disconnect(_ ip: PeerIP, reason: ReasonCode) -> Bool {
        let actions = table.close(ip, reason: reason)
        perform(actions)
        return !actions.isEmpty
    }

    /// Bans the IP for `seconds` (its session closed as `code`: `peer_banned` for the
    /// application, `operator_ban` for the operator); `reason` is their words, logged and in
    /// the `banned` event. The one way a ban is given by hand.
    @discardableResult
    func ban(_ ip: PeerIP, seconds: Double, reason: String, code: ReasonCode = .peerBanned) -> Double {
        let now = Self.now()
        // Outside numbers: a NaN is no ban, anything past a century is a century (and the
        // Unix-seconds log field stays an Int).
        let until = now + min(max(0, seconds.isFinite ? seconds : 0), Self.longestBan)
        logger.log(
            .warning, code == .operatorBan ? "operator.ban" : "peer.banned_by_application", peer: ip.description,
            reason: code,
            [("detail", .string(String(reason.prefix(200)))), ("until_unix", .int(Int(until)))])
        events.yield(.banned(ip, until: until, reason: reason))
        // This ban is announced above with its words; the table's `banned` report (logged as
        // `peer.banned`, published as broken rules) is for the bans it gives itself.
        perform(
            table.ban(ip, until: until, reason: code, now: now).filter {
                if case .report(.banned) = $0 { return false }
                return true
            })
        return until
    }

    /// The longest ban `ban` gives: a century.
    static let longestBan: Double = 100 * 365 * 86_400

    /// Lifts a ban; false if the IP was not banned.
    func unban(_ ip: PeerIP) -> Bool {
        guard table.unban(ip, now: Self.now()) else { return false }
        logger.log(.info, "peer.unbanned", peer: ip.description)
        events.yield(.unbanned(ip))
        return true
    }

    /// Networking on or off (bitcoind's `setnetworkactive`): off closes every session as
    /// `network_inactive` and refuses every dial and accept until it is on again.
    func setNetworkActive(_ active: Bool) {
        guard table.networkActive != active else { return }
        table.networkActive = active
        logger.log(.info, active ? "network.active" : "network.inactive")
        guard !active else { return }
        for ip in table.sessions.keys.sorted() { perform(table.close(ip, reason: .networkInactive)) }
    }

    var networkActive: Bool { table.networkActive }
}
