import Wire

/// What the per-peer budgets (DESIGN.md "One authority, budgets, a clock") make of the
/// configuration.
extension NodeConfiguration {
    /// A peer this far past `--max-send-buffer` is dropped as `slow_peer` at once …
    public static let sendBufferDropFactor = 4
    /// … but never below this: the application's own sends (a few payloads of the largest
    /// frame size) must fit before a peer counts as slow.
    public static let minimumSendDropBytes = 16 << 20
    /// A peer whose queue stays past `--max-send-buffer` this long is dropped as `slow_peer`.
    public static let sendStallTimeout: Duration = .seconds(30)
    /// How long a GetPeers sample is served, and how often one peer gets an answer: the
    /// maintainer cycle (`--tick`), at most 10 minutes. Our own node asks at most once a cycle.
    public var addressShareInterval: Duration { min(tick, .seconds(600)) }

    /// The socket options of every peer connection: past `--max-send-buffer` the session stops
    /// taking requests until the queue drains to half of it; past four times it (at least 16 MiB),
    /// `slow_peer`.
    public var connectionOptions: Connection.Options {
        let send = max(1, maximumSendBuffer)
        let (drop, overflow) = send.multipliedReportingOverflow(by: Self.sendBufferDropFactor)
        return Connection.Options(
            maximumFrameSize: maximumFrameSize, highWatermark: send, lowWatermark: send / 2,
            maximumBufferedBytes: overflow ? .max : max(drop, Self.minimumSendDropBytes))
    }
}
