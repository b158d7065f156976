/// A map from peer IP (text) to a value, holding at most `capacity` peers: a newcomer at
/// capacity evicts the least recently used peer, so an attacker with many IPs can only
/// churn the map, never grow it. Eviction scans the map (O(capacity)), which only a new
/// peer at capacity pays.
public struct BoundedPeerMap<Value: Sendable>: Sendable {
    public let capacity: Int
    private var values: [String: (value: Value, used: UInt64)] = [:]
    private var clock: UInt64 = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { values.count }

    /// The value, without marking it used (reading never changes what is evicted).
    public subscript(ip: String) -> Value? { values[ip]?.value }

    /// Changes (or creates from `initial`) the value of `ip` and marks it most recently used.
    /// `keep` protects values from eviction while another candidate exists (a held-off peer
    /// should not be forgotten because others connected since).
    public mutating func update<Result>(
        _ ip: String, initial: () -> Value, keep: (Value) -> Bool = { _ in false },
        _ change: (inout Value) -> Result
    ) -> Result {
        clock &+= 1
        if var entry = values.removeValue(forKey: ip) {
            let result = change(&entry.value)
            values[ip] = (entry.value, clock)
            return result
        }
        if values.count >= capacity { evict(keep: keep) }
        var value = initial()
        let result = change(&value)
        values[ip] = (value, clock)
        return result
    }

    /// Every peer and its value, in no particular order.
    public var all: [(ip: String, value: Value)] { values.map { ($0.key, $0.value.value) } }

    private mutating func evict(keep: (Value) -> Bool) {
        var victim: (ip: String, used: UInt64, kept: Bool)?
        for (ip, entry) in values {
            let kept = keep(entry.value)
            guard let current = victim else {
                victim = (ip, entry.used, kept)
                continue
            }
            if (kept ? 1 : 0, entry.used) < (current.kept ? 1 : 0, current.used) { victim = (ip, entry.used, kept) }
        }
        if let victim { values[victim.ip] = nil }
    }
}
