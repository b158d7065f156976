import Diagnostics
import Wire

/// The single authority on peer state: every dial decision and every inbound accept goes
/// through it and gets a reason code. Owns the PeerTable (and with it the peer book) and
/// keeps the PeerRegistry in step with it.
public actor ConnectionManager: LoopIsolated {
    public nonisolated let reactor: Reactor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { reactor.asUnownedSerialExecutor() }
    public nonisolated let registry: PeerRegistry
    let logger: Logger
    /// The IP our dials come from (the listen IP), if the node listens on one.
    let localIP: IPAddress?

    var table: PeerTable
    /// Every live session by id (during a tie-break two can share one IP).
    var peers: [UInt64: PeerConnection] = [:]
    var tracker = DialTracker()
    var nextID: UInt64 = 0
    var counters = Counters()
    var rttSamples: [Double]?

    /// Running totals, for stats and metrics.
    public struct Counters: Sendable {
        public var dialAttempts: [PeerSource: Int] = [:]
        public var dialFailures: [ReasonCode: Int] = [:]
        /// Dial and handshake failures of our own dials, by reason and source.
        public var dialFailuresBySource: [ReasonCode: [PeerSource: Int]] = [:]
        public var pingRTT = Histogram.pingRTT()
        /// Traffic of sessions that have ended (live ones are added at snapshot time).
        public var bytesIn = 0
        public var bytesOut = 0
        public var framesIn = 0
        public var framesOut = 0
        public var handshakeFailures: [ReasonCode: Int] = [:]
        public var disconnects: [ReasonCode: Int] = [:]
        public var duplicateCloses = 0
    }

    init(configuration: NodeConfiguration, reactor: Reactor, logger: Logger, book: PeerBook = PeerBook()) {
        self.reactor = reactor
        self.registry = PeerRegistry(reactor: reactor)
        self.logger = logger
        self.localIP = configuration.sourceIP
        var own: Set<PeerIP> = []
        if let ip = configuration.sourceIP { own.insert(PeerIP(ip)) }
        self.table = PeerTable(
            limits: .init(minimumOutbound: configuration.minimumOutbound, maximumPeers: configuration.maximumPeers),
            policy: DialPolicy(lan: configuration.lan, ipv4Only: configuration.ipv4Only, ownAddresses: own))
        table.book = book
        if configuration.lan { table.book.gossipPerGroupLimit = PeerBook.lanGossipPerGroup }
        let (seconds, attoseconds) = configuration.cooldownBase.components
        table.book.cooldownBase = Double(seconds) + Double(attoseconds) / 1e18
    }

    static func now() -> Double { Timestamp.unixSecondsDouble() }

    func makeID() -> UInt64 {
        nextID += 1
        return nextID
    }

    /// Adds addresses to the book (startup: persisted, then `--peer`, then seeds).
    func addKnown(_ address: SocketAddress, source: PeerSource) {
        table.book.add(address, source: source, now: Self.now())
    }

    /// Decides a dial; nil means go (the peer is now `connecting`).
    func decideDial(_ address: SocketAddress, source: PeerSource, bypassCooldown: Bool = false) -> ReasonCode? {
        if bypassCooldown { table.book.add(address, source: source, now: Self.now()) }
        let reason = table.decideDial(
            address, source: source, localIP: localIP, now: Self.now(), bypassCooldown: bypassCooldown)
        if reason == nil { counters.dialAttempts[source, default: 0] += 1 }
        return reason
    }

    /// A dial ended: failed with `reason`, or (nil) became a session.
    func dialFinished(_ address: SocketAddress, source: PeerSource, failure reason: ReasonCode?, handshake: Bool) {
        let now = Self.now()
        table.dialFinished(PeerIP(address.ip), failure: reason, now: now)
        guard let reason else { return }
        if handshake {
            counters.handshakeFailures[reason, default: 0] += 1
        } else {
            counters.dialFailures[reason, default: 0] += 1
        }
        counters.dialFailuresBySource[reason, default: [:]][source, default: 0] += 1
        if reason == .selfConnection { table.policy.ownAddresses.insert(PeerIP(address.ip)) }
        tracker.record(
            DialFailure(
                address: address.description, reason: reason.rawValue, timestampUnix: Int(now),
                source: source.rawValue))
        logger.log(
            .info, handshake ? "handshake.failed" : "dial.failed", peer: address.description, reason: reason.rawValue,
            [("source", .string(source.rawValue))])
    }

    func admitInbound(_ ip: PeerIP) -> ReasonCode? {
        table.admitInbound(ip, now: Self.now())
    }

    /// An admitted inbound connection failed its handshake.
    func inboundHandshakeEnded(_ ip: PeerIP, failure reason: ReasonCode) {
        table.inboundHandshakeEnded()
        counters.handshakeFailures[reason, default: 0] += 1
        if PeerBook.isViolation(reason) { table.book.recordFailure(ip, reason: reason, now: Self.now()) }
        logger.log(
            .info, "handshake.failed", peer: ip.description, reason: reason.rawValue,
            [("direction", .string("inbound"))], origin: .outsider)
    }

    /// A handshake completed: keep the session, or close it (or the older one) by the
    /// tie-break. Returns false if the new session must close as `duplicate_connection`.
    func established(_ peer: PeerConnection) -> Bool {
        let listen = peer.assumeIsolated { $0.listenAddress }
        let now = Self.now()
        // The slot an inbound peer held while handshaking becomes its session, in this step.
        if peer.direction == .inbound { table.inboundHandshakeEnded() }
        if peer.direction == .inbound { table.book.add(listen, source: .handshake, now: now) }
        let verdict = table.established(
            peer.ip, id: peer.id, direction: peer.direction, localIP: peer.connection.localAddress.ip,
            listenAddress: listen, now: now)
        switch verdict {
        case .reject:
            counters.duplicateCloses += 1
            return false
        case .keepAndClose(let older):
            counters.duplicateCloses += 1
            if let loser = peers[older] {
                // Same reactor as this actor: the loser's state is reachable synchronously.
                loser.assumeIsolated { $0.close(reason: .duplicateConnection) }
            }
        case .keep:
            break
        }
        peers[peer.id] = peer
        registry.assumeIsolated { $0.set(peer, for: peer.ip) }
        logger.log(
            .info, "peer.connected", peer: listen.description,
            [("direction", .string(peer.direction.rawValue)), ("id", .int(Int(peer.id)))])
        return true
    }

    /// A session ended (after `established` kept it).
    func sessionEnded(_ peer: PeerConnection, reason: ReasonCode) {
        peers[peer.id] = nil
        // Same reactor: the connection's counters are readable synchronously.
        let traffic = peer.connection.assumeIsolated { ($0.bytesIn, $0.bytesOut, $0.framesIn, $0.framesOut) }
        counters.bytesIn += traffic.0
        counters.bytesOut += traffic.1
        counters.framesIn += traffic.2
        counters.framesOut += traffic.3
        counters.disconnects[reason, default: 0] += 1
        if table.sessionClosed(peer.ip, id: peer.id, reason: reason, now: Self.now()) {
            registry.assumeIsolated { $0.set(nil, for: peer.ip) }
            // During a tie-break, the surviving session of this IP takes the registry slot.
            if let survivor = peers.values.first(where: { $0.ip == peer.ip }) {
                registry.assumeIsolated { $0.set(survivor, for: peer.ip) }
            }
        }
        logger.log(
            .info, "peer.disconnected", peer: peer.ip.description, reason: reason.rawValue,
            [("direction", .string(peer.direction.rawValue))])
    }

    /// Up to the configured number of addresses for a PeerList answer.
    func addressesToShare(excluding ip: PeerIP, limit: Int = 250) -> [SocketAddress] {
        var result: [SocketAddress] = []
        for session in table.sessions.values where PeerIP(session.listenAddress.ip) != ip {
            result.append(session.listenAddress)
        }
        let now = Self.now()
        for record in table.book.records.values where result.count < limit {
            guard record.ip != ip, table.sessions[record.ip] == nil, record.lastSuccess != nil,
                (record.bannedUntil ?? 0) <= now
            else { continue }
            result.append(record.address)
        }
        return Array(result.prefix(limit))
    }

    /// Addresses a peer gossiped: validated by policy and entered as `gossip`.
    func learned(_ addresses: [SocketAddress], from ip: PeerIP) {
        let now = Self.now()
        var added = 0
        for address in addresses.prefix(1000) where table.policy.skipReason(for: address) == nil {
            if table.book[PeerIP(address.ip)] == nil && table.book.add(address, source: .gossip, now: now) {
                added += 1
            }
        }
        if added > 0 {
            logger.log(.debug, "discovery.learned", peer: ip.description, [("added", .int(added))])
        }
    }

    /// A ping round trip, seconds.
    func recordRTT(_ seconds: Double) {
        counters.pingRTT.observe(seconds)
        rttSamples?.append(seconds)
    }

    /// Starts keeping every RTT sample (benchmarks).
    public func startRecordingRTT() {
        rttSamples = rttSamples ?? []
    }

    /// Raw RTT samples (seconds) since the last call, when recording is on (benchmarks).
    public func takeRTTSamples(keepRecording: Bool = true) -> [Double] {
        defer { rttSamples = keepRecording ? [] : nil }
        return rttSamples ?? []
    }

    /// Closes every session with `reason` (shutdown).
    func closeAll(reason: ReasonCode) {
        for peer in peers.values {
            peer.assumeIsolated { $0.close(reason: reason) }
        }
    }

    // MARK: Snapshots

    public var book: PeerBook { table.book }
    public var sessions: [PeerIP: PeerTable.Session] { table.sessions }
    public var dialFailures: [DialFailure] { tracker.failures }
    public var totals: Counters { counters }
    public var connectingCount: Int { table.connecting.count }
    public var livePeers: [PeerConnection] { Array(peers.values) }
}
