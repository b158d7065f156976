import Wire

/// The ping/pong state machine of one connection, over an injected time (nanoseconds on any
/// monotonic clock): pings on an interval, a deadline for each pong, RTT on each answer.
///
/// Pure: the PeerConnection feeds it events and carries out the returned actions, so it is
/// tested with a manual clock and no sockets.
public struct Liveness: Sendable {
    public let interval: UInt64
    public let timeout: UInt64
    private var nextPingAt: UInt64
    private var outstanding: (nonce: UInt64, sentAt: UInt64)?
    private var nonceCounter: UInt64
    /// The last measured round trip, nanoseconds.
    public private(set) var lastRTT: UInt64?

    /// What to do now.
    public enum Action: Equatable, Sendable {
        case none
        case sendPing(nonce: UInt64)
        /// No pong within the timeout: end the connection as `ping_timeout`.
        case timedOut
    }

    /// `firstPingAfter` (default: one interval) lets callers spread peers' pings apart, so
    /// that peers connected at the same moment do not ping in lockstep forever.
    public init(
        interval: Duration, timeout: Duration, now: UInt64, nonceSeed: UInt64 = 0x9E37_79B9,
        firstPingAfter: Duration? = nil
    ) {
        self.interval = interval.nanoseconds
        self.timeout = timeout.nanoseconds
        self.nextPingAt = now &+ (firstPingAfter?.nanoseconds ?? self.interval)
        self.nonceCounter = nonceSeed
    }

    /// When `poll` should next be called: the pong's deadline while a ping is outstanding
    /// (no second ping is sent before the first is answered), else the next ping.
    public var nextDeadline: UInt64 {
        if let outstanding { return outstanding.sentAt &+ timeout }
        return nextPingAt
    }

    /// Advances to `now`.
    public mutating func poll(now: UInt64) -> Action {
        if let outstanding, now >= outstanding.sentAt &+ timeout { return .timedOut }
        guard outstanding == nil, now >= nextPingAt else { return .none }
        nonceCounter &+= 0x9E37_79B9_7F4A_7C15
        outstanding = (nonceCounter, now)
        // The next ping keeps this connection's phase: one interval after the last *deadline*,
        // not after the moment the timer got to run. Counting from `now` let every late pass
        // (all the timers due during it fire together) merge peers' phases for good; 100 peers
        // at a 50 ms interval ended up pinging in a few bursts of ~100.
        nextPingAt &+= interval
        if nextPingAt <= now {
            // Overdue (a slow pong, a stalled loop): skip the missed slots, same phase.
            let step = max(interval, 1)
            nextPingAt &+= ((now &- nextPingAt) / step &+ 1) &* step
        }
        return .sendPing(nonce: nonceCounter)
    }

    /// A pong arrived; returns the RTT if it answers the outstanding ping (other nonces are
    /// ignored: late or unsolicited pongs prove nothing).
    public mutating func pongReceived(nonce: UInt64, now: UInt64) -> UInt64? {
        guard let outstanding, outstanding.nonce == nonce else { return nil }
        self.outstanding = nil
        let rtt = now &- outstanding.sentAt
        lastRTT = rtt
        return rtt
    }
}
