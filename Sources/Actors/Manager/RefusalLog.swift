import Wire

/// Rate limit for the log lines an outsider can cause at will (INTERFACE.md, "Logs"): every
/// refused inbound connection is counted, but only the first `individualPerWindow` of each
/// window are logged one by one (`peer.refused`); the rest are reported as one
/// `peer.refused_summary` with counts by reason once the window is over. So a peer opening a
/// thousand sockets a second costs a few lines, not a thousand.
struct RefusalLog: Sendable {
    static let window: Double = 10
    static let individualPerWindow = 10

    private var windowStart: Double?
    private var logged = 0
    private var suppressed: [ReasonCode: Int] = [:]

    /// Counts a refusal; true if it is to be logged on its own line.
    mutating func record(_ reason: ReasonCode, now: Double) -> Bool {
        if windowStart == nil { windowStart = now }
        guard logged < Self.individualPerWindow else {
            suppressed[reason, default: 0] += 1
            return false
        }
        logged += 1
        return true
    }

    /// Once the window is over: the refusals not logged in it, by reason (nil if none), and a
    /// new window. Called at each refusal and at each maintainer tick.
    mutating func summary(now: Double) -> [ReasonCode: Int]? {
        guard let start = windowStart, now - start >= Self.window else { return nil }
        defer {
            windowStart = nil
            logged = 0
            suppressed = [:]
        }
        return suppressed.isEmpty ? nil : suppressed
    }
}
