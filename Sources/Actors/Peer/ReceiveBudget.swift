/// Bytes one peer has queued toward the application, against `--max-receive-buffer`
/// (bitcoind's `-maxreceivebuffer`): over the limit the session stops reading the peer's
/// socket (TCP back-pressure holds the peer back), and reading resumes only once the
/// application has taken enough to be at or below the low watermark (half the limit), so a
/// consumer draining one payload at a time does not flip reading on and off per payload.
///
/// A pure value; ``ReceiveLedger`` shares it between the session and the consumer.
struct ReceiveBudget: Sendable, Equatable {
    /// Past this many queued bytes reading pauses.
    let limit: Int
    /// Reading resumes at or below this many.
    let lowWatermark: Int
    /// Bytes handed to the channel and not yet taken by the application.
    private(set) var queued = 0
    /// True from crossing `limit` until draining to `lowWatermark`.
    private(set) var paused = false

    init(limit: Int) {
        self.limit = max(1, limit)
        self.lowWatermark = self.limit / 2
    }

    /// Counts `bytes` queued; true if reading must pause now.
    mutating func charge(_ bytes: Int) -> Bool {
        queued = queued.addingSaturating(max(0, bytes))
        if queued > limit { paused = true }
        return paused
    }

    /// Counts `bytes` taken by the application; true if this ends a pause.
    mutating func release(_ bytes: Int) -> Bool {
        queued = max(0, queued - max(0, min(bytes, queued)))
        guard paused, queued <= lowWatermark else { return false }
        paused = false
        return true
    }
}

extension Int {
    /// `self + other`, stopping at `Int.max` instead of trapping.
    func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
