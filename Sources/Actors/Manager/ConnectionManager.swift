import Diagnostics
import Wire

/// The shell around `PeerTable`, the single authority on peer state: every dial decision,
/// inbound accept, handshake outcome and session end goes through the table, and the manager
/// carries out the actions it returns (register or unregister a writer, close a session, log,
/// count) in the same step. It keeps no peer state of its own: the reachable sessions are the
/// registry's, the closing ones `closingPeers`, and both change only by those actions.
public actor ConnectionManager: LoopIsolated {
    public nonisolated let reactor: Reactor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { reactor.asUnownedSerialExecutor() }
    public nonisolated let registry: PeerRegistry
    /// Peer events for the embedding application, fed from the table's reports.
    nonisolated let events: PeerEventHub
    let logger: Logger
    /// The IP our dials come from (the listen IP), if the node listens on one.
    let localIP: IPAddress?

    var table: PeerTable
    /// Addresses in one PeerList answer (`NodeConfiguration.peerListLimit`, within what the
    /// wire format carries).
    let peerListLimit: Int
    /// The reasons of the last handshake failures, both directions, oldest first.
    private(set) var recentHandshakeFailures = RecentReasons(capacity: 100)
    /// The connections of the table's `closing` sessions (same ids, kept in step by `perform`),
    /// so that their traffic still counts until their tasks end.
    private(set) var closingPeers: [UInt64: PeerConnection] = [:]
    var tracker = DialTracker()
    var nextID: UInt64 = 0
    var counters = Counters()
    var rttSamples: [Double]?
    /// Why, funnel, disconnect ledger and flap damping, fed by `noteDecision`/`noteReport`.
    var reports = PeerReports()
    /// The randomness of outbound picks and shared samples (the address manager's draws).
    /// Reseeded from the system generator at each cycle (`planCycle`).
    var random = FastRandom()
    /// Picks of the last cycle that waited for the higher IP to dial (`awaiting_inbound`): the
    /// next cycle considers them first, so the wait costs one tick, not the pick.
    var deferredPicks: [(SocketAddress, PeerSource)] = []
    /// The per-start secret that keys eviction's netgroup protection (an attacker cannot
    /// predict which of its groups are protected).
    let evictionKey = SipHashKey.random()

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
        /// Inbound connections refused before their handshake, by reason.
        public var refusals: [ReasonCode: Int] = [:]
    }

    /// A manager over `book` (`package` for the benchmarks; the node makes its own).
    package init(
        configuration: NodeConfiguration, reactor: Reactor, logger: Logger, book: PeerBook = PeerBook(),
        anchors: [SocketAddress] = []
    ) {
        self.reactor = reactor
        self.registry = PeerRegistry(reactor: reactor)
        self.events = PeerEventHub(capacity: configuration.eventBufferCapacity)
        self.logger = logger
        self.localIP = configuration.sourceIP
        self.peerListLimit = max(0, min(configuration.peerListLimit, Message.maximumPeerListCount))
        var own: Set<PeerIP> = []
        if let ip = configuration.sourceIP { own.insert(PeerIP(ip)) }
        self.table = PeerTable(
            limits: .init(minimumOutbound: configuration.minimumOutbound, maximumPeers: configuration.maximumPeers),
            policy: DialPolicy(lan: configuration.lan, ipv4Only: configuration.ipv4Only, ownAddresses: own))
        // On a LAN every peer shares one private /16: the address manager groups by address.
        table.book = book.regrouped(byAddress: configuration.lan)
        let (seconds, attoseconds) = configuration.cooldownBase.components
        table.book.cooldownBase = Double(seconds) + Double(attoseconds) / 1e18
        let now = Self.now()
        for address in anchors { table.book.add(address, source: .peerBook, now: now) }
        table.anchors = anchors
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
        // Flap damping: an IP that kept connecting and dropping is held off for a while (an
        // operator's manual connect, which bypasses cooldowns, bypasses this too).
        let reason =
            !bypassCooldown && isFlapping(PeerIP(address.ip))
            ? .flapping
            : table.decideDial(
                address, source: source, localIP: localIP, now: Self.now(), bypassCooldown: bypassCooldown)
        if reason == nil { counters.dialAttempts[source, default: 0] += 1 }
        noteDecision(address, source: source, skip: reason)
        if let reason { noteOperatorSkip(address, source: source, reason: reason, manual: bypassCooldown) }
        return reason
    }

    /// A dial of ours failed: in TCP (`handshake` false) or in its handshake.
    package func dialFailed(_ address: SocketAddress, source: PeerSource, reason: ReasonCode, handshake: Bool) {
        if handshake { recentHandshakeFailures.append(reason) }
        perform(table.dialFailed(address, reason: reason, handshake: handshake, now: Self.now()), source: source)
    }

    /// Decides whether to take an inbound connection (slots, limits, throttle, bans); nil
    /// means take it: it holds a pending slot until `inboundFailed` or `established`.
    /// `localIP` is our end of it (for the direction rule).
    func admitInbound(_ ip: PeerIP) -> ReasonCode? {
        var refusal = isFlapping(ip) ? .flapping : table.admitInbound(ip, localIP: localIP, now: Self.now())
        if refusal == .maxPeersReached && evictForNewcomer(ip) { refusal = table.admitAfterEviction(ip) }
        guard let refusal else { return nil }
        counters.refusals[refusal, default: 0] += 1
        return refusal
    }

    /// An admitted inbound connection failed its handshake.
    func inboundFailed(_ ip: PeerIP, reason: ReasonCode) {
        recentHandshakeFailures.append(reason)
        perform(table.inboundFailed(ip, reason: reason, now: Self.now()))
    }

    /// A handshake completed, of a dial of ours or of an admitted inbound connection: one step
    /// from connecting (or pending) to a session. The tie-break may close this session (the
    /// reason is returned; the peer has been told) or an older one of the same IP. Either
    /// way the caller runs the session and reports its end with `sessionEnded`.
    @discardableResult
    func established(_ peer: PeerConnection) -> ReasonCode? {
        // Same reactor as this actor: the peer's state is reachable synchronously.
        let listen = peer.assumeIsolated { $0.listenAddress }
        let actions = table.established(
            peer.ip, id: peer.id, direction: peer.direction, localIP: peer.connection.localAddress.ip,
            listenAddress: listen, now: Self.now(),
            dialed: peer.direction == .outbound ? peer.connection.remoteAddress : nil)
        perform(actions, peer: peer)
        for case .close(_, peer.id, let reason) in actions { return reason }
        return nil
    }

    /// A session's task ended (every session that passed its handshake reports this once).
    func sessionEnded(_ peer: PeerConnection, reason: ReasonCode) {
        // Same reactor: the connection's counters are readable synchronously.
        let traffic = peer.connection.assumeIsolated { ($0.bytesIn, $0.bytesOut, $0.framesIn, $0.framesOut) }
        counters.bytesIn += traffic.0
        counters.bytesOut += traffic.1
        counters.framesIn += traffic.2
        counters.framesOut += traffic.3
        perform(table.sessionEnded(peer.ip, id: peer.id, reason: reason, now: Self.now()), peer: peer)
        closingPeers[peer.id] = nil
    }

    /// A session decided to close by itself (`PeerConnection.close`/`abort`): it leaves the
    /// registry now. Called synchronously from the session (same reactor); when the manager
    /// itself closed the session, the table has already let it go and this does nothing.
    func sessionClosing(_ peer: PeerConnection, reason: ReasonCode) {
        perform(table.sessionClosing(peer.ip, id: peer.id, reason: reason, now: Self.now()), peer: peer)
    }

    /// Outbound peers to save as anchors (call before `shutdown()`, which closes them).
    func anchorCandidates() -> [SocketAddress] {
        table.anchorCandidates()
    }

    /// Closes every session as `shutdown` and refuses every dial, accept and handshake from now on.
    func shutdown() {
        perform(table.shutdown())
    }

    /// Carries out a transition's actions, in order. `peer` is the connection the transition
    /// was about, if any (the only one not yet in the registry); `source` that of a dial.
    func perform(_ actions: [PeerTable.Action], peer: PeerConnection? = nil, source: PeerSource? = nil) {
        for action in actions {
            switch action {
            case .register(let ip, let id):
                guard let peer, peer.id == id else {
                    assertionFailure("register #\(id): not the connection in hand")
                    continue
                }
                let replaced = registry.assumeIsolated { $0.set(peer, for: ip) }
                // Only a session the same transition closed (a duplicate) is ever replaced.
                assert(replaced.map { table.closing[$0.id] != nil } ?? true, "register #\(id) over a live session")
            case .unregister(let ip):
                let leaving = registry.assumeIsolated { $0.set(nil, for: ip) }
                if let leaving, table.closing[leaving.id] != nil { closingPeers[leaving.id] = leaving }
            case .close(let ip, let id, let reason):
                // The session in hand, or the one the registry holds for this IP.
                let target = peer?.id == id ? peer : registry.assumeIsolated { $0.peers[ip] }
                guard let target, target.id == id else {
                    assertionFailure("close #\(id): neither in hand nor registered")
                    continue
                }
                if table.closing[id] != nil { closingPeers[id] = target }
                target.assumeIsolated { $0.close(reason: reason) }
            case .report(let event):
                report(event, source: source, peer: peer)
                publish(event, peer: peer)
            }
        }
    }

    private func report(_ event: PeerTable.Event, source: PeerSource?, peer: PeerConnection?) {
        noteReport(event, peer: peer)
        switch event {
        case .connected(_, let id, let direction, let listenAddress):
            logger.log(
                .info, "peer.connected", peer: listenAddress.description,
                [("direction", .string(direction.rawValue)), ("id", .int(Int(id)))])
        case .disconnected(let ip, _, let direction, let reason):
            counters.disconnects[reason, default: 0] += 1
            logger.log(
                .info, "peer.disconnected", peer: ip.description, reason: reason,
                [("direction", .string(direction.rawValue))])
        case .dialFailed(let address, let reason, let handshake):
            if handshake {
                counters.handshakeFailures[reason, default: 0] += 1
            } else {
                counters.dialFailures[reason, default: 0] += 1
            }
            let source = source ?? .direct
            counters.dialFailuresBySource[reason, default: [:]][source, default: 0] += 1
            tracker.record(
                DialFailure(
                    address: address.description, reason: reason.rawValue, timestampUnix: Int(Self.now()),
                    source: source.rawValue))
            logger.log(
                .info, handshake ? "handshake.failed" : "dial.failed", peer: address.description, reason: reason,
                [("source", .string(source.rawValue))])
        case .inboundHandshakeFailed(let ip, let reason):
            counters.handshakeFailures[reason, default: 0] += 1
            logger.log(
                .info, "handshake.failed", peer: ip.description, reason: reason, [("direction", .string("inbound"))],
                origin: .outsider)
        case .duplicateClosed:
            counters.duplicateCloses += 1
        case .banned(let ip, let until):
            // Why: the reason the book recorded with the ban (the violation, or operator_ban).
            let why = table.book[ip]?.lastReason ?? ReasonCode.peerBanned.rawValue
            logger.log(
                .warning, "peer.banned", peer: ip.description, reason: why,
                [
                    ("until_unix", .int(Int(min(until, 1e15)))),
                    ("seconds", .int(Int(min(max(0, until - Self.now()), 1e15)))),
                ])
        }
    }

    /// Up to the configured number of addresses for a PeerList answer (GetPeers, and the list
    /// a refused newcomer gets): a random sample of the address manager's tables, never the
    /// sessions first nor any order an attacker could steer; banned addresses left out.
    func addressesToShare(excluding ip: PeerIP) -> [SocketAddress] {
        let now = Self.now()
        // A few more than the limit, so that leaving out bans and the asker still fills it.
        let drawn = table.book.addresses.sample(limit: peerListLimit + 8, now: now, using: &random)
        var result: [SocketAddress] = []
        for address in drawn where result.count < peerListLimit {
            let peer = PeerIP(address.ip)
            guard peer != ip, !table.book.isBanned(peer, now: now) else { continue }
            result.append(address)
        }
        return result
    }

    /// Addresses a peer gossiped (after its token bucket): validated by policy and offered
    /// to the address manager as `gossip` from `ip`, which buckets them by `ip`'s group, so
    /// however many addresses and /16s one source names, it fills a bounded share of the
    /// table, and a port learned from a handshake, our own dial or the operator stays.
    func learned(_ addresses: [SocketAddress], from ip: PeerIP) {
        let now = Self.now()
        var added = 0
        for address in addresses.prefix(1000) where table.policy.skipReason(for: address) == nil {
            let known = table.book.addresses[PeerIP(address.ip)] != nil
            if table.book.add(address, source: .gossip, from: ip, now: now) && !known { added += 1 }
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

    // MARK: Snapshots

    public var book: PeerBook { table.book }

    /// The book's counts for a snapshot (`/metrics`, `/health`, `stats()`), computed here
    /// rather than on a copy of the book: a copy held across the snapshot's other awaits made
    /// the next change to the book (a PeerList learned, a dial recorded) copy all of it on the
    /// loop, milliseconds at 10,000 entries.
    public func bookCounts() -> BookCounts {
        let now = Self.now()
        let outcomes = table.book.outcomeCounts(now: now)
        return BookCounts(
            known: table.book.count, tiers: table.book.tierCounts(now: now, connected: Set(table.sessions.keys)),
            banned: outcomes.banned, cooldown: outcomes.cooldown, unhealthy: outcomes.unhealthy)
    }

    public var sessions: [PeerIP: PeerTable.Session] { table.sessions }
    public var dialFailures: [DialFailure] { tracker.failures }
    public var totals: Counters { counters }
    public var connectingCount: Int { table.connecting.count }
    /// Every session whose task has not ended: the closing ones, then the reachable ones (the
    /// registry's; last, so that a per-IP view built from this list keeps the current session).
    public var livePeers: [PeerConnection] {
        Array(closingPeers.values) + Array(registry.assumeIsolated { $0.peers.values })
    }
    /// Sessions whose tasks have not ended, reachable or closing (0: every session is over).
    public var liveSessionCount: Int { table.liveSessionCount }
}
