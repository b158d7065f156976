/// A token bucket on a monotonic nanosecond clock: `rate` tokens a second, at most `burst`
/// saved. Used for what a peer may make us do per unit of time: addresses it teaches us
/// (bitcoind: 0.1/s, burst 1000) and GetPeers answers.
///
/// Pure: the caller passes `now` (the reactor's clock, which tests replace).
struct TokenBucket: Sendable, Equatable {
    /// Tokens added per second.
    let rate: Double
    /// The most tokens kept.
    let burst: Double
    private(set) var tokens: Double
    private var last: UInt64

    /// Starts full.
    init(rate: Double, burst: Double, now: UInt64) {
        self.rate = max(0, rate)
        self.burst = max(0, burst)
        self.tokens = self.burst
        self.last = now
    }

    /// Takes up to `wanted` whole tokens; returns how many were granted.
    mutating func take(_ wanted: Int, now: UInt64) -> Int {
        refill(now: now)
        let granted = max(0, min(wanted, Int(tokens.rounded(.down))))
        tokens -= Double(granted)
        return granted
    }

    /// Takes one token if there is one.
    mutating func takeOne(now: UInt64) -> Bool {
        take(1, now: now) == 1
    }

    private mutating func refill(now: UInt64) {
        // A clock that went backwards (it cannot: monotonic) adds nothing.
        guard now > last else { return }
        let elapsed = Double(now - last) / 1e9
        last = now
        tokens = min(burst, tokens + elapsed * rate)
    }
}
