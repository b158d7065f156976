import Wire

extension ConnectionManager {
    /// Picks this cycle's dials (each one now `connecting`) and the skip reason of every
    /// candidate considered but not dialed. Direct peers are always candidates; others until
    /// the outbound target is met. Candidates not reached are returned as the reserve from
    /// which failed dials are replaced within the same cycle.
    func planCycle() -> (dials: [(SocketAddress, PeerSource)], reserve: [PeerRecord], summary: CycleSummary) {
        table.advanceTick()
        var summary = CycleSummary(tick: table.tick)
        summary.target = table.limits.minimumOutbound
        var slots = table.limits.minimumOutbound - table.outboundCount - table.connecting.count
        var dials: [(SocketAddress, PeerSource)] = []
        // At the target only direct peers are candidates: skip sorting a large book.
        let candidates =
            slots > 0
            ? table.candidates(now: Self.now()) : table.book.records.values.filter { $0.source == .direct }
        var reserve: [PeerRecord] = []
        for record in candidates {
            let isDirect = record.source == .direct
            guard isDirect || slots > 0 else {
                reserve.append(record)
                continue
            }
            if let reason = decideDial(record.address, source: record.source) {
                summary.note(reason, record.address)
            } else {
                dials.append((record.address, record.source))
                if !isDirect { slots -= 1 }
            }
        }
        summary.attempted = dials.count
        // Below the target, ask every peer for more addresses each tick: a peer book that
        // only ever heard one PeerList (at connect) can run dry while the mesh is still forming.
        if table.outboundCount + dials.count < table.limits.minimumOutbound {
            for peer in registry.assumeIsolated({ $0.peers.values }) {
                // Same reactor: the peer's connection is reachable synchronously.
                peer.assumeIsolated { $0.askForPeers() }
            }
        }
        return (dials, reserve, summary)
    }

    /// The next reserve candidate that may be dialed now (it is then `connecting`); the
    /// skip reasons of those passed over go into `summary`.
    func nextFromReserve(_ reserve: inout ArraySlice<PeerRecord>, summary: inout CycleSummary) -> (
        SocketAddress, PeerSource
    )? {
        guard table.outboundCount + table.connecting.count < table.limits.minimumOutbound else { return nil }
        while let record = reserve.popFirst() {
            if let reason = decideDial(record.address, source: record.source) {
                summary.note(reason, record.address)
            } else {
                return (record.address, record.source)
            }
        }
        return nil
    }
}
