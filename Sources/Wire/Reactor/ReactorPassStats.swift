/// How long the reactor's loop passes take: from the moment `epoll_wait` hands back events to
/// the moment the loop waits again (dispatch, timers, queued jobs, flushes), sleeping excluded.
/// One pass that runs long delays every peer on the loop, so this is the number that says
/// whether a peer's messages cost O(1) (`meshnode_reactor_pass_seconds`).
public struct ReactorPassStats: Sendable, Equatable {
    /// Upper bounds, seconds: 10 µs … 1 s.
    public static let bounds: [Double] = [
        0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    ]
    /// A pass longer than this is a slow pass (logged as `reactor.slow_pass`).
    public static let slowPassNanoseconds: UInt64 = 100_000_000

    /// Passes ≤ each bound (not cumulative), and the passes past the last bound.
    public private(set) var counts = [Int](repeating: 0, count: ReactorPassStats.bounds.count)
    public private(set) var overflow = 0
    public private(set) var count = 0
    public private(set) var sumNanoseconds: UInt64 = 0
    /// The longest pass since the reactor started.
    public private(set) var maximumNanoseconds: UInt64 = 0
    /// Slow passes since the reactor started, and since the last ``takeSlowPasses()``.
    public private(set) var slowPasses = 0
    public private(set) var unreportedSlowPasses = 0
    /// The longest slow pass not yet reported.
    public private(set) var unreportedLongestNanoseconds: UInt64 = 0

    public init() {}

    /// Counts one pass of `nanoseconds`.
    public mutating func record(_ nanoseconds: UInt64) {
        count &+= 1
        sumNanoseconds &+= nanoseconds
        maximumNanoseconds = max(maximumNanoseconds, nanoseconds)
        let seconds = Double(nanoseconds) / 1e9
        if let index = Self.bounds.firstIndex(where: { seconds <= $0 }) {
            counts[index] &+= 1
        } else {
            overflow &+= 1
        }
        if nanoseconds > Self.slowPassNanoseconds {
            slowPasses &+= 1
            unreportedSlowPasses &+= 1
            unreportedLongestNanoseconds = max(unreportedLongestNanoseconds, nanoseconds)
        }
    }

    /// The slow passes since the last call (count, longest), then starts counting again.
    public mutating func takeSlowPasses() -> (count: Int, longestNanoseconds: UInt64) {
        defer {
            unreportedSlowPasses = 0
            unreportedLongestNanoseconds = 0
        }
        return (unreportedSlowPasses, unreportedLongestNanoseconds)
    }
}

extension Reactor {
    /// The loop's pass durations so far (any thread).
    public var passStats: ReactorPassStats { passStatsStore.withLock { $0 } }

    /// The slow passes since the last call (any thread): who logs them calls this.
    public func takeSlowPasses() -> (count: Int, longestNanoseconds: UInt64) {
        passStatsStore.withLock { $0.takeSlowPasses() }
    }
}
