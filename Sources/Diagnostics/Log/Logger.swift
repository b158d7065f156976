import Dispatch
import Wire

/// Writes log events as JSON lines (or text) to standard error, off the caller's thread:
/// formatting happens on the caller, the write on a serial queue, so a slow terminal or a
/// full pipe never stalls the reactor.
public final class Logger: Sendable {
    /// The output format.
    public enum Format: String, Sendable {
        case json, text
    }

    /// Who decides how often an event happens: the node itself (its own dials, ticks,
    /// sessions) or anyone who can reach it (refused connections, inbound handshake failures,
    /// ignored messages). Outsider events pass the log budget; the node's own are never dropped.
    public enum Origin: Sendable {
        case node, outsider
    }

    public let minimumLevel: LogLevel
    public let format: Format
    private let queue = DispatchQueue(label: "meshnode.log")
    private let descriptor: Int32
    /// Peer addresses in the `peer` field are redacted unless MESHNODE_DEBUG_PUBLIC_PEERS=1.
    public let redactor: Redactor
    /// The budget of outsider events, and when its summary timer is next due (if armed).
    /// Locked (LockedValue, as every lock here): events come from the reactor thread and from
    /// tasks on any thread.
    private let budget: LockedValue<(state: LogBudget, timerDue: UInt64?)>
    private let clock: @Sendable () -> UInt64

    /// A logger writing to standard error; the format defaults to text on a terminal.
    /// `budget` limits outsider events; `clock` (monotonic nanoseconds) is replaced in tests.
    public init(
        minimumLevel: LogLevel = .info, format: Format? = nil, descriptor: Int32 = Posix.standardError,
        redactor: Redactor = .fromEnvironment, budget: LogBudget.Policy = .standard,
        clock: @escaping @Sendable () -> UInt64 = { Posix.monotonicNanoseconds() }
    ) {
        self.minimumLevel = minimumLevel
        self.redactor = redactor
        self.descriptor = descriptor
        self.format = format ?? (Posix.isTerminal(descriptor) ? .text : .json)
        self.budget = LockedValue((LogBudget(policy: budget, minimumLevel: minimumLevel), nil))
        self.clock = clock
    }

    /// Logs `event` at `level` if the level is enabled; an `.outsider` event also has to fit
    /// the log budget (it is counted either way, see `outsiderCounts`).
    public func log(
        _ level: LogLevel, _ event: String, peer: String? = nil, reason: String? = nil,
        _ fields: [(String, LogEvent.Value)] = [], origin: Origin = .node
    ) {
        if origin == .outsider {
            guard admitOutsider(event, level: level) else { return }
        }
        guard level >= minimumLevel else { return }
        write(LogEvent(level: level, event: event, peer: peer, reason: reason, fields: fields))
    }

    /// Writes a prepared event (the level filter still applies).
    public func write(_ event: LogEvent) {
        guard event.level >= minimumLevel else { return }
        var event = event
        event.peer = event.peer.map(redactor.redact)
        let line = Array(((format == .json ? event.jsonLine() : event.textLine()) + "\n").utf8)
        let descriptor = descriptor
        queue.async {
            line.withUnsafeBytes { _ = Posix.writeAll(descriptor, $0) }
        }
    }

    /// Waits until every event logged so far has been written, summaries of suppressed
    /// outsider events included (even before their interval ends: this is called at exit).
    public func flush() {
        let now = clock()
        writeSummaries(budget.withLock { $0.state.pendingSummaries(now: now) })
        queue.sync {}
    }
}

extension Logger {
    /// A logger that writes nothing (tests, benchmarks).
    public static var silent: Logger { Logger(minimumLevel: .error, format: .json, descriptor: -1) }
}

extension Logger {
    /// The events the node logs as `.outsider` (kept in step with those call sites), so
    /// their counters exist in the metrics from the start.
    public static let outsiderEvents: Set<String> = [
        "handshake.failed", "peer.bad_message", "peer.disconnect_received", "peer.refused",
        "peer.unsolicited_peer_list", "peer.evicted", "peer.get_peers_flood",
    ]

    /// Every outsider event offered so far, by name, and how many of them the budget dropped
    /// (exact, whatever was written): the metrics' view of what the log summarizes.
    public func outsiderCounts() -> (seen: [String: Int], suppressed: [String: Int]) {
        budget.withLock { ($0.state.seen, $0.state.suppressedTotal) }
    }

    /// Writes the summaries that are due now (the timer calls this; tests with a manual
    /// clock call it after advancing the clock).
    public func writeDueSummaries() {
        let now = clock()
        let (due, rearm) = budget.withLock { locked in
            let due = locked.state.dueSummaries(now: now)
            locked.timerDue = nil
            return (due, armTimer(&locked, now: now))
        }
        writeSummaries(due)
        if let rearm { scheduleSummaries(in: rearm) }
    }

    /// Counts an outsider event and says whether its line may be written; writes any
    /// summaries that fell due meanwhile first, so they keep their order in the log.
    private func admitOutsider(_ event: String, level: LogLevel) -> Bool {
        let now = clock()
        let (verdict, due, arm) = budget.withLock { locked in
            let due = locked.state.nextSummaryDue.map { $0 <= now } == true ? locked.state.dueSummaries(now: now) : []
            let verdict = locked.state.admit(event, level: level, now: now)
            return (verdict, due, armTimer(&locked, now: now))
        }
        writeSummaries(due)
        if let arm { scheduleSummaries(in: arm) }
        return verdict == .write
    }

    /// Arms the summary timer if a summary is due earlier than the armed one (or none is
    /// armed); returns the delay to schedule, nanoseconds.
    private func armTimer(_ locked: inout (state: LogBudget, timerDue: UInt64?), now: UInt64) -> UInt64? {
        guard let next = locked.state.nextSummaryDue else { return nil }
        if let armed = locked.timerDue, armed <= next { return nil }
        locked.timerDue = next
        return next > now ? next - now : 0
    }

    private func scheduleSummaries(in nanoseconds: UInt64) {
        // At most one timer is pending per earliest due time; the logger outlives it (weak
        // all the same, so a dropped logger in a test is not kept alive for 10 s).
        let delay = DispatchTimeInterval.nanoseconds(Int(clamping: nanoseconds))
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.writeDueSummaries() }
    }

    private func writeSummaries(_ summaries: [LogBudget.Summary]) {
        for summary in summaries {
            write(
                LogEvent(
                    level: summary.level, event: "log.suppressed",
                    fields: [
                        ("suppressed_event", .string(summary.event)), ("suppressed", .int(summary.suppressed)),
                        ("interval_s", .double(summary.intervalSeconds)),
                    ]))
        }
    }
}
