import Wire

extension PeerTable {
    /// The start of a cycle's draws: the groups of our outbound sessions and dials in flight
    /// are excluded off-LAN (one outbound per /16, INTERFACE.md); on a LAN, where the
    /// address manager groups by address, every IP we have a session, dial or pending
    /// connection with (so that draws are not spent on them).
    public func outboundDraws(slots: Int, using generator: inout some RandomNumberGenerator) -> OutboundDraws {
        let addresses = book.addresses
        var excluded: Set<NetworkGroup> = []
        if policy.lan {
            for ip in sessions.keys { excluded.insert(addresses.group(of: ip)) }
            for ip in pending { excluded.insert(addresses.group(of: ip)) }
        } else {
            for (ip, session) in sessions where session.direction == .outbound {
                excluded.insert(addresses.group(of: ip))
            }
        }
        for ip in connecting { excluded.insert(addresses.group(of: ip)) }
        var draws = OutboundDraws(
            excluding: excluded, draws: OutboundDraws.budget(slots: slots), onePerGroup: !policy.lan)
        draws.seeds = operatorPeers(.seed).shuffled(using: &generator)
        return draws
    }

    /// The addresses the operator gave with `source` (`direct`: `--peer` and persisted manual
    /// connects; `seed`), sorted: O(operator-given entries), not O(book).
    public func operatorPeers(_ source: PeerSource) -> [SocketAddress] {
        book.addresses.operatorGiven.compactMap { book.addresses[$0] }.filter { $0.origin == source }.map(\.address)
            .sorted { $0.ip < $1.ip }
    }

    /// Forgets the anchors once the first cycle has tried them.
    public mutating func anchorsTried() {
        anchors = []
    }

    /// Up to `limit` outbound peers to save as anchors at a clean shutdown: the longest-lived
    /// outbound sessions that took a normal slot (manual ones are dialed anyway).
    public func anchorCandidates(limit: Int = 2) -> [SocketAddress] {
        sessions.filter { $0.value.direction == .outbound && !manual.contains($0.key) }
            .sorted { ($0.value.since, $0.key) < ($1.value.since, $1.key) }
            .prefix(max(0, limit)).map(\.value.listenAddress)
    }
}
