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

    /// One lookup, changed in place: a cycle over a 10,000-entry book notes hundreds of skips,
    /// and copying each entry out and back cost a fifth of its planning.
    mutating func note(_ reason: ReasonCode, _ address: SocketAddress) {
        Self.add(address, to: &reasons[reason, default: (0, [])])
    }

    private static func add(_ address: SocketAddress, to entry: inout (count: Int, samples: [String])) {
        entry.count += 1
        if entry.samples.count < 5 { entry.samples.append(address.description) }
    }
}
