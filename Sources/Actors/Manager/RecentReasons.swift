import Wire

/// The last `capacity` reason codes of some kind of event, oldest first: a ring, so that
/// keeping them costs the same however many events happen.
public struct RecentReasons: Sendable {
    public let capacity: Int
    private var ring: [ReasonCode] = []
    private var next = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public mutating func append(_ reason: ReasonCode) {
        if ring.count < capacity {
            ring.append(reason)
        } else {
            ring[next] = reason
            next = (next + 1) % capacity
        }
    }

    /// How many events are remembered (at most `capacity`).
    public var count: Int { ring.count }

    /// How often each reason occurs among the remembered events.
    public var counts: [ReasonCode: Int] {
        ring.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
