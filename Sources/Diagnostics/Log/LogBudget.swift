/// The log budget of events an outsider can trigger at will (a refused connection, an
/// inbound handshake that fails, an ignored message): one peer must not decide how much the
/// node writes. 19,000 refused connects a second would otherwise be 2.4 MB of log a second.
///
/// Per event name, a token bucket: the first `burst` lines pass, then one line every
/// `refillInterval`; the rest are counted, and `summaryInterval` after the first suppressed
/// one a single summary (`log.suppressed {suppressed_event, suppressed, interval_s}`; not
/// `event`, which names the line itself) reports how many were dropped. A steady flood thus writes at most one line per `refillInterval` plus one
/// summary per `summaryInterval` per event, whatever its rate. `seen` counts every event
/// exactly (written, suppressed, or below the log level), for the metrics.
///
/// Pure, over an injected time (nanoseconds on any monotonic clock): the Logger holds it
/// under a lock and feeds it the time; tests advance a manual clock. Keys are the call
/// sites' static event names, never outside text, so the tables stay as small as the code.
public struct LogBudget: Sendable {
    /// How many lines pass, and how often the suppressed are summarized.
    public struct Policy: Sendable, Equatable {
        /// Lines that pass at once before any is suppressed.
        public var burst: Int
        /// One more line may pass per this many nanoseconds.
        public var refillInterval: UInt64
        /// Suppressed events are summarized this many nanoseconds after the first of them.
        public var summaryInterval: UInt64

        public init(burst: Int, refillInterval: Duration, summaryInterval: Duration) {
            self.burst = max(1, burst)
            self.refillInterval = max(1, Self.nanoseconds(refillInterval))
            self.summaryInterval = max(1, Self.nanoseconds(summaryInterval))
        }

        /// 20 lines at once, then one every 5 s, a summary every 10 s: at most 0.3 lines a
        /// second per event under a steady flood (a connect flood triggers two events: 0.6),
        /// yet a handful of honest failures all show.
        public static let standard = Policy(burst: 20, refillInterval: .seconds(5), summaryInterval: .seconds(10))

        /// Whole nanoseconds, saturating (a duration past ~584 years is as good as forever).
        static func nanoseconds(_ duration: Duration) -> UInt64 {
            let (seconds, attoseconds) = duration.components
            guard seconds >= 0 else { return 0 }
            let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
            if overflow { return .max }
            let (total, overflowSum) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
            return overflowSum ? .max : total
        }
    }

    /// What to do with one event.
    public enum Verdict: Equatable, Sendable {
        /// Write it.
        case write
        /// Drop it; it is counted and will appear in a summary.
        case suppress
        /// Below the log level: not written, no budget spent, still counted in `seen`.
        case belowLevel
    }

    /// One `log.suppressed` line: how many `event` lines were dropped over `intervalSeconds`.
    public struct Summary: Equatable, Sendable {
        public var event: String
        public var level: LogLevel
        public var suppressed: Int
        public var intervalSeconds: Double
        /// When the first of them was suppressed (the budget's time).
        public var since: UInt64

        public init(event: String, level: LogLevel, suppressed: Int, intervalSeconds: Double, since: UInt64) {
            self.event = event
            self.level = level
            self.suppressed = suppressed
            self.intervalSeconds = intervalSeconds
            self.since = since
        }

        func elapsedSeconds(now: UInt64) -> Double { now > since ? Double(now - since) / 1e9 : 0 }
    }

    private struct Bucket {
        var tokens: Int
        var refilledAt: UInt64
        var suppressed = 0
        var suppressedLevel = LogLevel.trace
        /// The first suppressed event not yet summarized.
        var suppressedSince: UInt64?
        var summaryDue: UInt64?
    }

    public let policy: Policy
    public let minimumLevel: LogLevel
    private var buckets: [String: Bucket] = [:]
    /// Every event offered, by name, whatever the verdict (exact; saturating).
    public private(set) var seen: [String: Int] = [:]
    /// Events dropped by the budget, by name (exact; saturating).
    public private(set) var suppressedTotal: [String: Int] = [:]

    public init(policy: Policy = .standard, minimumLevel: LogLevel = .info) {
        self.policy = policy
        self.minimumLevel = minimumLevel
    }

    /// Counts `event` and decides whether its line is written.
    public mutating func admit(_ event: String, level: LogLevel, now: UInt64) -> Verdict {
        seen[event, default: 0] = Self.incremented(seen[event] ?? 0)
        guard level >= minimumLevel else { return .belowLevel }
        var bucket = buckets[event] ?? Bucket(tokens: policy.burst, refilledAt: now)
        refill(&bucket, now: now)
        let verdict: Verdict
        if bucket.tokens > 0 {
            bucket.tokens -= 1
            verdict = .write
        } else {
            bucket.suppressed = Self.incremented(bucket.suppressed)
            bucket.suppressedLevel = max(bucket.suppressedLevel, level)
            if bucket.summaryDue == nil {
                bucket.suppressedSince = now
                bucket.summaryDue = Self.adding(policy.summaryInterval, to: now)
            }
            suppressedTotal[event, default: 0] = Self.incremented(suppressedTotal[event] ?? 0)
            verdict = .suppress
        }
        buckets[event] = bucket
        return verdict
    }

    /// The summaries whose interval has ended by `now` (each once), by event name.
    public mutating func dueSummaries(now: UInt64) -> [Summary] {
        takeSummaries { due in due <= now }
    }

    /// Every summary still pending, due or not, so that nothing counted is left out of the
    /// log at shutdown; an early one's `intervalSeconds` is the time since its first event.
    public mutating func pendingSummaries(now: UInt64) -> [Summary] {
        takeSummaries { _ in true }.map { summary in
            var summary = summary
            summary.intervalSeconds = min(summary.intervalSeconds, summary.elapsedSeconds(now: now))
            return summary
        }
    }

    private mutating func takeSummaries(where isTaken: (UInt64) -> Bool) -> [Summary] {
        var taken: [Summary] = []
        for (event, bucket) in buckets {
            guard let due = bucket.summaryDue, isTaken(due) else { continue }
            taken.append(
                Summary(
                    event: event, level: bucket.suppressedLevel, suppressed: bucket.suppressed,
                    intervalSeconds: Double(policy.summaryInterval) / 1e9, since: bucket.suppressedSince ?? 0))
            var emptied = bucket
            emptied.suppressed = 0
            emptied.suppressedLevel = .trace
            emptied.suppressedSince = nil
            emptied.summaryDue = nil
            buckets[event] = emptied
        }
        return taken.sorted { $0.event < $1.event }
    }

    /// When the next summary falls due (nil: nothing is being suppressed).
    public var nextSummaryDue: UInt64? {
        buckets.values.compactMap(\.summaryDue).min()
    }

    /// Adds the lines earned since the last refill, up to the burst, keeping the remainder
    /// of a partly earned line so a steady trickle gets exactly one line per interval.
    private func refill(_ bucket: inout Bucket, now: UInt64) {
        guard now > bucket.refilledAt else { return }  // a clock that stood still or stepped back earns nothing
        let elapsed = now - bucket.refilledAt
        let earned = elapsed / policy.refillInterval
        guard earned > 0 else { return }
        if earned >= UInt64(policy.burst - bucket.tokens) {
            bucket.tokens = policy.burst
            bucket.refilledAt = now
        } else {
            bucket.tokens += Int(earned)
            bucket.refilledAt += earned * policy.refillInterval
        }
    }

    private static func incremented(_ value: Int) -> Int { value == .max ? value : value + 1 }

    private static func adding(_ interval: UInt64, to now: UInt64) -> UInt64 {
        let (sum, overflow) = now.addingReportingOverflow(interval)
        return overflow ? .max : sum
    }
}
