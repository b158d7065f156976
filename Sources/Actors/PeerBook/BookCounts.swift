/// The peer book in numbers, as one snapshot reads them (``ConnectionManager/bookCounts()``).
public struct BookCounts: Sendable, Equatable {
    /// Addresses in the book.
    public var known: Int
    /// Known IPs per tier (connected ones are hot).
    public var tiers: [PeerTier: Int]
    /// Known IPs banned now, cooling down now (and not banned), and below the health floor.
    public var banned: Int
    public var cooldown: Int
    public var unhealthy: Int
}
