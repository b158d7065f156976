import Wire

/// One maintainer cycle's picks from the address manager: random draws (`select`), never an
/// order an attacker can steer, with the groups of our outbound peers excluded so that no
/// two outbound peers share a /16 off-LAN (on a LAN, where groups are single addresses, the
/// peers we already have are excluded instead). Bounded: a cycle makes at most `drawsLeft`
/// draws, the ones that replace failed dials included.
///
/// A pure value: the caller decides each pick (`decideDial`) and reports the ones it dials
/// with `dialing(_:)`. Seeds and direct peers are not returned: they have their own place
/// in the start order (direct peers their own slots; seeds after the book).
public struct OutboundDraws: Sendable {
    /// Groups no pick may come from.
    public private(set) var excluded: Set<NetworkGroup>
    /// IPs drawn this cycle (a second draw of one is not decided again).
    public private(set) var drawn: Set<PeerIP> = []
    public private(set) var drawsLeft: Int
    /// Seeds not decided yet this cycle, in a random order: dialed when the book has nothing
    /// left to give (and as the reserve's last resort).
    public var seeds: [SocketAddress] = []
    /// Whether each dial's group is excluded from later picks (off-LAN: one per /16).
    let onePerGroup: Bool

    /// Draws per cycle: enough to step over the cooling, banned and connected entries a
    /// cycle meets, and bounded so that planning stays far below a millisecond at 10,000
    /// entries (`Benchmarks plan`).
    public static func budget(slots: Int) -> Int {
        32 + 8 * max(0, min(slots, 1024))
    }

    public init(excluding excluded: Set<NetworkGroup>, draws: Int, onePerGroup: Bool) {
        self.excluded = excluded
        self.drawsLeft = max(0, draws)
        self.onePerGroup = onePerGroup
    }

    /// The next learned address to consider, or nil when the draws are spent or nothing is
    /// eligible.
    public mutating func next(from book: inout PeerBook, now: Double, using generator: inout some RandomNumberGenerator)
        -> AddressManager.Entry?
    {
        while drawsLeft > 0 {
            drawsLeft -= 1
            guard let entry = book.addresses.select(excludingGroups: excluded, now: now, using: &generator) else {
                return nil
            }
            // A group of one address (LAN): once drawn, never drawn again this cycle.
            if book.addresses.configuration.groupsByAddress { excluded.insert(book.addresses.group(of: entry.ip)) }
            if entry.origin == .direct || entry.origin == .seed { continue }
            guard drawn.insert(entry.ip).inserted else { continue }
            return entry
        }
        return nil
    }

    /// A pick was not dialed (the skip reason is the caller's to record): the next draw comes
    /// from the same table, so skipped tried picks do not turn into picks from new.
    public func skipped(_ entry: AddressManager.Entry, in book: inout PeerBook) {
        book.addresses.redraw(from: entry.table)
    }

    /// A pick is being dialed: its group is taken (off-LAN), and it is not drawn again.
    public mutating func dialing(_ ip: PeerIP, in book: PeerBook) {
        drawn.insert(ip)
        if onePerGroup || book.addresses.configuration.groupsByAddress { excluded.insert(book.addresses.group(of: ip)) }
    }

    /// The next seed not decided yet this cycle.
    public mutating func nextSeed() -> SocketAddress? {
        while let seed = seeds.popLast() {
            if drawn.insert(PeerIP(seed.ip)).inserted { return seed }
        }
        return nil
    }
}
