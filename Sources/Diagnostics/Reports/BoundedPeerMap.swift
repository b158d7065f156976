/// A map from peer IP (text) to a value, holding at most `capacity` peers: a newcomer at
/// capacity evicts the least recently updated peer, so an attacker with many IPs (or a peer
/// book larger than the capacity, skipped at every tick) can only churn the map, never grow
/// it. Every operation is O(1): the recency order is a doubly linked list over a slot array
/// (a scan per eviction cost ~0.3 ms per new IP in a debug build, on the reactor).
public struct BoundedPeerMap<Value: Sendable>: Sendable {
    struct Slot: Sendable {
        var key: String
        var value: Value
        var newer = -1
        var older = -1
    }

    public let capacity: Int
    private var index: [String: Int] = [:]
    private var slots: [Slot] = []
    /// The most and the least recently updated slots (-1: empty).
    private var newest = -1
    private var oldest = -1

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { index.count }

    /// The value, without marking it used (reading never changes what is evicted).
    public subscript(ip: String) -> Value? { index[ip].map { slots[$0].value } }

    /// Every peer and its value, in no particular order.
    public var all: [(ip: String, value: Value)] { index.map { ($0.key, slots[$0.value].value) } }

    /// Changes (or creates from `initial`) the value of `ip` and marks it most recently used.
    /// At capacity a newcomer evicts the least recently used peer; `keep` spares a value
    /// while an unkept one is older (a held-off peer should not be forgotten because others
    /// connected since): a kept one is moved to the newest end instead, at most `count` times.
    public mutating func update<Result>(
        _ ip: String, initial: () -> Value, keep: (Value) -> Bool = { _ in false },
        _ change: (inout Value) -> Result
    ) -> Result {
        if let slot = index[ip] {
            let result = change(&slots[slot].value)
            moveToNewest(slot)
            return result
        }
        var value = initial()
        let result = change(&value)
        let slot: Int
        if index.count >= capacity {
            slot = evict(keep: keep)
            slots[slot] = Slot(key: ip, value: value)
        } else {
            slot = slots.count
            slots.append(Slot(key: ip, value: value))
        }
        index[ip] = slot
        linkAsNewest(slot)
        return result
    }

    /// Unlinks the victim and frees its key; returns its slot for reuse.
    private mutating func evict(keep: (Value) -> Bool) -> Int {
        var victim = oldest
        var spared = 0
        while spared < index.count, keep(slots[victim].value) {
            moveToNewest(victim)
            victim = oldest
            spared += 1
        }
        unlink(victim)
        index[slots[victim].key] = nil
        return victim
    }

    private mutating func moveToNewest(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (slots[slot].newer, slots[slot].older)
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        slots[slot].newer = -1
        slots[slot].older = -1
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot].older = newest
        slots[slot].newer = -1
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
