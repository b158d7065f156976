import Wire

/// One maintainer cycle's figures (rendered into the public report files by Diagnostics).
public struct CycleSummary: Sendable {
    public var tick: Int
    public var attempted = 0
    public var connected = 0
    /// Sessions held after the cycle, and the outbound target.
    public var finalConnected = 0
    public var target = 0
    /// Skip reasons and failure reasons of this cycle, with up to 5 sample addresses each.
    public var reasons: [ReasonCode: (count: Int, samples: [String])] = [:]

    mutating func note(_ reason: ReasonCode, _ address: SocketAddress) {
        var entry = reasons[reason] ?? (0, [])
        entry.count += 1
        if entry.samples.count < 5 { entry.samples.append(address.description) }
        reasons[reason] = entry
    }
}
