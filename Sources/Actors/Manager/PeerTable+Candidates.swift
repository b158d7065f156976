import Wire

extension PeerTable {
    /// The candidates of one maintainer cycle, in the start order of INTERFACE.md: anchors
    /// (the last run's outbound peers), then the book (persisted and learned peers: hot, warm,
    /// cold, by health), then direct peers (`--peer`), then seeds. Records without a port (an
    /// inbound violator's ban record) are never candidates.
    public func candidates(now: Double) -> [PeerRecord] {
        let anchorIPs = Set(anchors.map { PeerIP($0.ip) })
        // (group, tier, health descending), computed once per record.
        let keyed = book.records.values.lazy.filter { $0.address.port != 0 }.map { record in
            let group = anchorIPs.contains(record.ip) ? 0 : Self.startGroup(record.source)
            return ((group, Self.tierRank(record.tier(now: now, connected: false)), -record.health), record)
        }
        return keyed.sorted { a, b in
            a.0 != b.0 ? a.0 < b.0 : a.1.address.ip < b.1.address.ip
        }.map(\.1)
    }

    /// Where a source comes in the start order (after the anchors, 0).
    static func startGroup(_ source: PeerSource) -> Int {
        switch source {
        case .peerBook, .handshake, .gossip: return 1
        case .direct: return 2
        case .seed: return 3
        }
    }

    private static func tierRank(_ tier: PeerTier) -> Int {
        switch tier {
        case .hot: return 0
        case .warm: return 1
        case .cold: return 2
        }
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
