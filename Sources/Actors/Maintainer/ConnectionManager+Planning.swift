import Wire

extension ConnectionManager {
    /// Picks this cycle's dials (each one now `connecting`) and the skip reason of every
    /// candidate considered but not dialed. Direct peers are always candidates (they have
    /// slots of their own); others until the outbound target is met: `--min-outbound`, or on
    /// `--lan` every slot up to `--max-peers` (the full mesh). Candidates not reached are
    /// returned as the reserve from which failed dials are replaced within the same cycle.
    func planCycle() -> (dials: [(SocketAddress, PeerSource)], reserve: [PeerRecord], summary: CycleSummary) {
        table.advanceTick()
        let now = Self.now()
        var keeping = Set(table.sessions.keys).union(table.connecting).union(table.pending)
        for anchor in table.anchors { keeping.insert(PeerIP(anchor.ip)) }
        table.book.prune(now: now, keeping: keeping)
        var summary = CycleSummary(tick: table.tick)
        summary.target = outboundTarget
        var slots = freeOutboundSlots()
        var dials: [(SocketAddress, PeerSource)] = []
        // At the target only direct peers are candidates: skip sorting a large book.
        let candidates =
            slots > 0
            ? table.candidates(now: now)
            : table.book.records.values.filter { $0.source == .direct && $0.address.port != 0 }
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
        table.anchorsTried()
        // On a LAN the node means to reach every peer it knows: say why it stops short.
        if table.policy.lan && slots <= 0 {
            for record in table.book.records.values where record.address.port != 0 && record.source != .direct {
                guard table.sessions[record.ip] == nil, !table.connecting.contains(record.ip),
                    !table.pending.contains(record.ip)
                else { continue }
                summary.note(.maxPeersReached, record.address)
            }
        }
        summary.attempted = dials.count
        // Below the target, ask every peer for more addresses each tick: a peer book that
        // only ever heard one PeerList (at connect) can run dry while the mesh is still forming.
        if slots > 0 {
            for peer in registry.assumeIsolated({ $0.peers.values }) {
                // Same reactor: the peer's connection is reachable synchronously.
                peer.assumeIsolated { $0.askForPeers() }
            }
        }
        return (dials, reserve, summary)
    }

    /// The outbound connections the maintainer aims for: `--min-outbound`, or with `--lan`
    /// every slot (`--max-peers`).
    var outboundTarget: Int {
        table.policy.lan ? table.limits.maximumPeers : table.limits.minimumOutbound
    }

    /// Normal slots the maintainer may still dial into now (manual slots not included).
    func freeOutboundSlots() -> Int {
        let counts = table.slotCounts()
        let room = table.limits.maximumPeers - counts.occupied
        return table.policy.lan ? room : min(table.limits.minimumOutbound - counts.outbound, room)
    }

    /// The next reserve candidate that may be dialed now (it is then `connecting`); the
    /// skip reasons of those passed over go into `summary`.
    func nextFromReserve(_ reserve: inout ArraySlice<PeerRecord>, summary: inout CycleSummary) -> (
        SocketAddress, PeerSource
    )? {
        guard freeOutboundSlots() > 0 else { return nil }
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
