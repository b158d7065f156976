/// geth's inbound throttle: an IP that connected to us is refused (`throttled`) if it connects
/// again within `window` seconds. A bounded map with expiry: every entry lives exactly
/// `window`, so insertion order is expiry order and a FIFO queue expires them in O(1) each.
/// At capacity the oldest entry is dropped early (an attacker with more IPs than that escapes
/// the throttle, but can never grow the node's memory or throttle an honest IP by it).
public struct InboundThrottle: Sendable {
    /// geth's `inboundThrottleTime`.
    public static let defaultWindow: Double = 30
    public static let defaultCapacity = 4096

    public let window: Double
    public let capacity: Int
    /// IP → the time its entry expires.
    private var until: [PeerIP: Double] = [:]
    /// Entries in insertion (= expiry) order; `head` is the oldest still queued.
    private var queue: [(ip: PeerIP, until: Double)] = []
    private var head = 0

    public init(window: Double = InboundThrottle.defaultWindow, capacity: Int = InboundThrottle.defaultCapacity) {
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// IPs remembered now.
    public var count: Int { until.count }

    /// Whether `ip` may connect now; if so it is remembered for `window` seconds (a refused
    /// attempt does not extend its time, as in geth).
    public mutating func admit(_ ip: PeerIP, now: Double) -> Bool {
        expire(now: now)
        if let expiry = until[ip], expiry > now { return false }
        while until.count >= capacity, dropOldest() {}
        until[ip] = now + window
        queue.append((ip, now + window))
        return true
    }

    private mutating func expire(now: Double) {
        while head < queue.count, queue[head].until <= now {
            _ = dropOldest()
        }
    }

    /// Drops the oldest queued entry (if it is still the IP's current one, the IP is forgotten).
    private mutating func dropOldest() -> Bool {
        guard head < queue.count else { return false }
        let oldest = queue[head]
        head += 1
        if until[oldest.ip] == oldest.until { until[oldest.ip] = nil }
        // Compact now and then so the queue's storage stays within twice the live entries.
        if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return true
    }

}
