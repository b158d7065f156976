/// The accepted range of every number an operator gives (command line, environment, config
/// file). Values come from outside: past these the node would trap converting them
/// (`--tick 1e11` seconds are 1e20 nanoseconds, more than `Int64` holds) or stop being a
/// sensible node, so they are refused with the range instead.
extension NodeConfiguration {
    /// Every duration option, in seconds: 1 ms to 1 day.
    public static let secondsRange: ClosedRange<Double> = 0.001...86_400
    /// `--max-peers`: at least one connection, at most 10,000 (each holds a descriptor).
    public static let maximumPeersRange: ClosedRange<Int> = 1...10_000
    /// `--min-outbound`: 0 (dial nobody) up to the largest peer limit.
    public static let minimumOutboundRange: ClosedRange<Int> = 0...10_000
    /// `--max-receive-buffer` and `--max-send-buffer`, bytes: 16 KiB (a few answers) to 1 GiB.
    public static let bufferBytesRange: ClosedRange<Int> = (16 << 10)...(1 << 30)
}
