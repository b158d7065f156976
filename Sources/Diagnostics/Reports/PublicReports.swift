import Wire

/// The two public files of INTERFACE.md, rendered from a snapshot, and written atomically.
public struct PublicReports: Sendable {
    public let redactor: Redactor

    public init(redactor: Redactor = .fromEnvironment) {
        self.redactor = redactor
    }

    /// Reasons that say nothing is wrong; never reported as blockers.
    static let notBlockers: Set<String> = ["already_connected", "already_connecting"]

    /// `peer_store_stats.json`.
    public func storeStats(_ snapshot: DebugSnapshot, timestamp: String = Timestamp.now()) -> JSONValue {
        let store = snapshot.store
        return .object([
            ("ts", .string(timestamp)), ("scope", .string("public")),
            ("known_peers", .int(store.knownPeers)), ("connected", .int(store.connected)),
            ("connecting", .int(store.connecting)), ("cooldown", .int(store.cooldown)),
            ("banned", .int(store.banned)), ("unhealthy", .int(store.unhealthy)),
            ("attempted_last_cycle", .int(store.attemptedLastCycle)),
            ("connected_last_cycle", .int(store.connectedLastCycle)),
        ])
    }

    /// `peer_connect_reasons.json`.
    public func connectReasons(_ snapshot: DebugSnapshot, timestamp: String = Timestamp.now()) -> JSONValue {
        let reasons = snapshot.reasons.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
        let blockers = reasons.filter { !Self.notBlockers.contains($0.reason) }.map(\.reason)
        func blocker(_ index: Int) -> JSONValue { index < blockers.count ? .string(blockers[index]) : .null }
        return .object([
            ("ts", .string(timestamp)), ("scope", .string("public")),
            (
                "cycle",
                .object(
                    [
                        ("attempted", .int(snapshot.cycle.attempted)), ("connected", .int(snapshot.cycle.connected)),
                        ("final_connected", .int(snapshot.cycle.finalConnected)),
                        ("target", .int(snapshot.cycle.target)),
                    ] + limitFields(snapshot.limits))
            ),
            ("top_blockers", .object([("primary", blocker(0)), ("secondary", blocker(1)), ("third", blocker(2))])),
            (
                "reasons",
                .array(
                    reasons.map { tally in
                        .object([
                            ("reason", .string(tally.reason)), ("count", .int(tally.count)),
                            ("samples", .array(tally.samples.prefix(5).map { .string(redactor.redact($0)) })),
                        ])
                    })
            ),
            ("funnel", snapshot.funnel.last?.json ?? .null),
        ])
    }

    /// `max_peers`, `min_outbound`, `lan`, `listen_port` where known (beyond INTERFACE.md's
    /// four cycle fields: what `meshnode diagnose` needs to judge the counts).
    func limitFields(_ limits: DebugSnapshot.Limits) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = []
        if let value = limits.maximumPeers { fields.append(("max_peers", .int(value))) }
        if let value = limits.minimumOutbound { fields.append(("min_outbound", .int(value))) }
        if let value = limits.lan { fields.append(("lan", .bool(value))) }
        if let value = limits.listenPort { fields.append(("listen_port", .int(value))) }
        return fields
    }

    /// Writes both files into `<dataDirectory>/public/` (tmp, fsync, rename). Blocking I/O:
    /// call off the reactor. Returns the rendered bytes (stats, reasons).
    @discardableResult
    public func write(_ snapshot: DebugSnapshot, dataDirectory: String) throws(SyscallError) -> ([UInt8], [UInt8]) {
        let directory = dataDirectory + "/public"
        try Posix.makeDirectories(directory)
        let timestamp = Timestamp.now()
        let stats = Array((storeStats(snapshot, timestamp: timestamp).render(pretty: true) + "\n").utf8)
        let reasons = Array((connectReasons(snapshot, timestamp: timestamp).render(pretty: true) + "\n").utf8)
        try Posix.writeFileAtomically(directory + "/peer_store_stats.json", stats)
        try Posix.writeFileAtomically(directory + "/peer_connect_reasons.json", reasons)
        return (stats, reasons)
    }
}
