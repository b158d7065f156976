/// Counter and gauge values for `/metrics`.
public struct MetricsSnapshot: Sendable {
    public var peersConnected: [String: Int] = ["inbound": 0, "outbound": 0]
    public var dialAttempts: [String: Int] = [:]
    /// Keyed by reason, then source.
    public var dialFailures: [String: [String: Int]] = [:]
    public var handshakeFailures: [String: Int] = [:]
    /// Session ends keyed by reason, then side (`local`: this node ended it; `remote`: the
    /// peer or the path did; `DisconnectSide`).
    public var disconnects: [String: [String: Int]] = [:]
    public var pingRTT = Histogram.pingRTT()
    public var peerBookEntries: [String: Int] = ["hot": 0, "warm": 0, "cold": 0]
    public var bytesReceived = 0
    public var bytesSent = 0
    public var framesReceived = 0
    public var framesSent = 0
    /// Failed writes of the node's own files, by file (`peers.json`, `public`).
    public var fileWriteFailures: [String: Int] = [:]
    /// The version `meshnode_build_info` reports.
    public var buildVersion = BuildInfo.version
    /// Log events an outsider can trigger, by event, counted whether written or not; and how
    /// many of them the log budget suppressed (the log summarizes, the metrics stay exact).
    public var outsiderLogEvents: [String: Int] = [:]
    public var outsiderLogSuppressed: [String: Int] = [:]
    /// The maintainer's dial funnel summed over every tick, by stage (`Funnel.stages`).
    public var funnel: [String: Int] = Dictionary(uniqueKeysWithValues: Funnel.stages.map { ($0, 0) })
    /// Payloads received from peers and queued toward the application (the `meshnode`
    /// binary takes and drops them), and their bytes.
    public var payloadsReceived = 0
    public var payloadBytesReceived = 0
    /// Times a session stopped reading its peer, by the budget spent (`receive`, `send`).
    public var budgetPauses: [String: Int] = ["receive": 0, "send": 0]
    /// GetPeers ignored (past a peer's answer budget), learned addresses dropped (past a
    /// peer's token bucket), and GetPeers samples computed from the peer book.
    public var getPeersIgnored = 0
    public var addressesRateLimited = 0
    public var addressSampleRefreshes = 0
    /// Reactor loop pass durations (`meshnode_reactor_pass_seconds`).
    public var reactorPass = Histogram.reactorPass()
    /// Passes over 100 ms since start.
    public var reactorSlowPasses = 0
    public init() {}

    /// Gives every series of a known label set a sample from the start: a counter that first
    /// appears at 1 is read by Prometheus's `increase()` as no increase, so the first failure
    /// of each kind would be lost. Values already present are kept.
    public mutating func declareLabels(
        sources: [String], dialFailureReasons: [String], handshakeFailureReasons: [String],
        disconnectReasons: [String]
    ) {
        for source in sources { dialAttempts[source, default: 0] += 0 }
        for reason in dialFailureReasons {
            for source in sources { dialFailures[reason, default: [:]][source, default: 0] += 0 }
        }
        for reason in handshakeFailureReasons { handshakeFailures[reason, default: 0] += 0 }
        for reason in disconnectReasons {
            for side in DisconnectSide.allCases { disconnects[reason, default: [:]][side.rawValue, default: 0] += 0 }
        }
    }
}

/// A cumulative histogram with fixed upper bounds (Prometheus semantics).
public struct Histogram: Sendable {
    public let bounds: [Double]
    /// Observations ≤ each bound (not cumulative here; rendered cumulatively).
    public private(set) var counts: [Int]
    public private(set) var sum: Double = 0
    public private(set) var count = 0

    public init(bounds: [Double]) {
        self.bounds = bounds
        self.counts = Array(repeating: 0, count: bounds.count)
    }

    /// 100 µs … 5 s.
    public static func pingRTT() -> Histogram {
        Histogram(bounds: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5])
    }

    /// 10 µs … 1 s (the reactor's pass durations).
    public static func reactorPass() -> Histogram {
        Histogram(bounds: [
            0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        ])
    }

    /// A histogram counted elsewhere: `counts` per bound (not cumulative), `count` in all
    /// (past the last bound included), `sum` of the values.
    public init(bounds: [Double], counts: [Int], count: Int, sum: Double) {
        self.bounds = bounds
        self.counts = counts.count == bounds.count ? counts : Array(repeating: 0, count: bounds.count)
        self.count = count
        self.sum = sum
    }

    public mutating func observe(_ value: Double) {
        sum += value
        count += 1
        if let index = bounds.firstIndex(where: { value <= $0 }) { counts[index] += 1 }
    }
}
