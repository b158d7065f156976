import Wire

/// The addresses a node shares in PeerList answers, computed once per interval and served
/// from here, so a GetPeers costs O(answer size), not O(peer book): with 10,000 planted
/// entries one 64 KiB burst of GetPeers used to hold the reactor for 4 s.
///
/// A pure value on the reactor's nanosecond clock.
struct AddressSample: Sendable {
    /// How long a sample is served before it is computed again.
    let interval: UInt64
    private(set) var addresses: [SocketAddress] = []
    private(set) var computedAt: UInt64?
    /// Times the sample was computed (tests and metrics).
    private(set) var refreshes = 0

    init(interval: Duration) {
        self.interval = interval.nanoseconds
    }

    /// The sample at `now`, computed by `compute` when there is none or it is older than
    /// `interval`.
    mutating func addresses(now: UInt64, compute: () -> [SocketAddress]) -> [SocketAddress] {
        if let computedAt, now >= computedAt, now - computedAt < interval { return addresses }
        addresses = compute()
        computedAt = now
        refreshes += 1
        return addresses
    }
}
