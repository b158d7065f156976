import Wire

extension ConnectionManager {
    /// Picks this cycle's dials (each one now `connecting`) and the skip reason of every
    /// candidate considered but not dialed, in the start order of INTERFACE.md: anchors, then
    /// the book (random draws from the address manager, one outbound per /16 off-LAN), then
    /// direct peers (always: they have slots of their own), then seeds for the slots left.
    /// The outbound target is `--min-outbound`, or on `--lan` every slot up to `--max-peers`
    /// (the full mesh). The returned draws are the reserve: failed dials are replaced from
    /// further draws within the same cycle (`nextFromReserve`). `package` for `Benchmarks plan`.
    package func planCycle() -> (dials: [(SocketAddress, PeerSource)], reserve: OutboundDraws, summary: CycleSummary) {
        table.advanceTick()
        random.reseed()
        let now = Self.now()
        var keeping = Set(table.sessions.keys).union(table.connecting).union(table.pending)
        for anchor in table.anchors { keeping.insert(PeerIP(anchor.ip)) }
        table.book.pruneSome(now: now, keeping: keeping, using: &random)
        var summary = CycleSummary(tick: table.tick)
        summary.target = outboundTarget
        var slots = freeOutboundSlots()
        var dials: [(SocketAddress, PeerSource)] = []
        var draws = table.outboundDraws(slots: slots, using: &random)
        func consider(_ address: SocketAddress, _ source: PeerSource) -> Bool {
            if let reason = decideDial(address, source: source) {
                summary.note(reason, address)
                if reason == .awaitingInbound { deferPick(address, source) }
                return false
            } else {
                dials.append((address, source))
                draws.dialing(PeerIP(address.ip), in: table.book)
                if source != .direct { slots -= 1 }
                return true
            }
        }
        for anchor in table.anchors where slots > 0 { _ = consider(anchor, .peerBook) }
        table.anchorsTried()
        // Last cycle's picks that waited a tick for the higher IP: their wait is over.
        let waited = deferredPicks
        deferredPicks = []
        for (address, source) in waited where slots > 0 && table.book.addresses[PeerIP(address.ip)] != nil {
            _ = consider(address, source)
        }
        while slots > 0, let entry = draws.next(from: &table.book, now: now, using: &random) {
            if !consider(entry.address, entry.origin) { draws.skipped(entry, in: &table.book) }
        }
        for address in table.operatorPeers(.direct) { _ = consider(address, .direct) }
        while slots > 0, let seed = draws.nextSeed() { _ = consider(seed, .seed) }
        // On a LAN the node means to reach every peer it knows: say why it stops short.
        if table.policy.lan && slots <= 0 {
            for entry in table.book.addresses.entries.values where entry.origin != .direct {
                guard table.sessions[entry.ip] == nil, !table.connecting.contains(entry.ip),
                    !table.pending.contains(entry.ip)
                else { continue }
                summary.note(.maxPeersReached, entry.address)
            }
        }
        summary.attempted = dials.count
        // Below the target, ask peers for more addresses each tick: a peer book that only ever
        // heard one PeerList (at connect) can run dry while the mesh is still forming. Off a
        // LAN only the peers we dialed are asked, unless we have none (a node every peer
        // dials, such as the lowest IP of a network, learns from its inbound peers).
        if slots > 0 {
            let askInbound = !table.solicitsOutboundOnly
            for peer in registry.assumeIsolated({ $0.peers.values }) where askInbound || peer.direction == .outbound {
                // Same reactor: the peer's connection is reachable synchronously.
                peer.assumeIsolated { $0.askForPeers() }
            }
        }
        return (dials, draws, summary)
    }

    /// Remembers a pick that waits a tick for the higher IP (bounded: a cycle's draws at most).
    private func deferPick(_ address: SocketAddress, _ source: PeerSource) {
        guard deferredPicks.count < OutboundDraws.budget(slots: table.limits.maximumPeers) else { return }
        deferredPicks.append((address, source))
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

    /// The next pick of this cycle's draws (then the seeds not tried yet) that may be dialed
    /// now (it is then `connecting`); the skip reasons of those passed over go into `summary`.
    func nextFromReserve(_ reserve: inout OutboundDraws, summary: inout CycleSummary) -> (
        SocketAddress, PeerSource
    )? {
        guard freeOutboundSlots() > 0 else { return nil }
        let now = Self.now()
        while let entry = reserve.next(from: &table.book, now: now, using: &random) {
            if let reason = decideDial(entry.address, source: entry.origin) {
                summary.note(reason, entry.address)
                if reason == .awaitingInbound { deferPick(entry.address, entry.origin) }
                reserve.skipped(entry, in: &table.book)
            } else {
                reserve.dialing(entry.ip, in: table.book)
                return (entry.address, entry.origin)
            }
        }
        while let seed = reserve.nextSeed() {
            if let reason = decideDial(seed, source: .seed) {
                summary.note(reason, seed)
            } else {
                return (seed, .seed)
            }
        }
        return nil
    }
}
