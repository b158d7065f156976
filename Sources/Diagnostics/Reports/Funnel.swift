/// Where the maintainer's dials go, tick by tick: known → candidates → skipped (by reason) →
/// dialed → TCP ok → handshake ok → still up one tick later. Answers "the book has 40 peers,
/// why do I have 3?" with the stage that loses them.
///
/// Keeps the last `capacity` ticks. Events between two `beginTick` calls belong to the
/// current tick (the maintainer finishes a tick's dials before the next one starts).
public struct Funnel: Sendable {
    /// One tick's counts. `stillUpNextTick` is nil until the next tick has begun.
    public struct Tick: Sendable, Equatable {
        public var tick: Int
        public var startedUnix: Double
        public var known: Int
        public var candidates = 0
        public var skipped: [String: Int] = [:]
        public var dialed = 0
        public var tcpOK = 0
        public var handshakeOK = 0
        public var stillUpNextTick: Int?
        /// The peers whose outbound handshake completed this tick (at most one per dial).
        var established: Set<String> = []

        public var skippedTotal: Int { skipped.values.reduce(0, &+) }
    }

    /// The stages counted since start, for `meshnode_funnel_total{stage}`.
    public static let stages = ["candidates", "skipped", "dialed", "tcp_ok", "handshake_ok", "still_up_next_tick"]

    public let capacity: Int
    public private(set) var ticks: [Tick] = []
    /// Every stage summed over all ticks since start (not only the kept ones); every stage
    /// present from the start.
    public private(set) var totals: [String: Int] = Dictionary(uniqueKeysWithValues: stages.map { ($0, 0) })

    public init(capacity: Int = 60) {
        self.capacity = max(2, capacity)
    }

    /// The current (newest) tick.
    public var last: Tick? { ticks.last }

    /// Starts tick `tick` with `known` peers in the book, unless it is already the current
    /// one; settles the previous tick's "still up" against the peers `connected` now.
    public mutating func beginTick(_ tick: Int, known: Int, connected: @autoclosure () -> Set<String>, now: Double) {
        guard ticks.last?.tick != tick else { return }
        if var previous = ticks.popLast() {
            let stillUp = previous.established.intersection(connected()).count
            previous.stillUpNextTick = stillUp
            totals["still_up_next_tick", default: 0] &+= stillUp
            previous.established = []
            ticks.append(previous)
        }
        ticks.append(Tick(tick: tick, startedUnix: now, known: known))
        if ticks.count > capacity { ticks.removeFirst(ticks.count - capacity) }
    }

    /// Counts `event` into the current tick (nothing before the first tick).
    public mutating func record(_ event: PeerDecision, ip: String, now: Double) {
        guard !ticks.isEmpty else { return }
        let index = ticks.count - 1
        switch event {
        case .skipped(let reason):
            count("candidates", "skipped")
            ticks[index].candidates &+= 1
            // Reason codes are a fixed taxonomy; the cap only guards against a caller's bug.
            if ticks[index].skipped[reason] != nil || ticks[index].skipped.count < 64 {
                ticks[index].skipped[reason, default: 0] &+= 1
            }
        case .dialed:
            count("candidates", "dialed")
            ticks[index].candidates &+= 1
            ticks[index].dialed &+= 1
        case .dialFailed(_, let handshake, _):
            if handshake {
                count("tcp_ok")
                ticks[index].tcpOK &+= 1
            }
        case .connected(let direction) where direction == "outbound":
            count("tcp_ok", "handshake_ok")
            ticks[index].tcpOK &+= 1
            ticks[index].handshakeOK &+= 1
            if ticks[index].established.count < 4096 { ticks[index].established.insert(ip) }
        default: break
        }
    }

    private mutating func count(_ stages: String...) {
        for stage in stages { totals[stage, default: 0] &+= 1 }
    }
}
