import Wire

/// The debug server's open connections and who gives way when they run out, as a pure
/// value. A new connection is never refused while another one only waits: when the total
/// or the per-IP cap is reached, the connection that has waited longest is closed to make
/// room, an idle keep-alive one first, then one stuck in the middle of a request. Only when
/// every connection is being answered is the newcomer refused (503).
struct HTTPConnectionTable: Sendable {
    enum Phase: Sendable, Equatable {
        /// Between requests (or connected and silent).
        case idle
        /// Part of a request has arrived.
        case reading
        /// A request is being answered.
        case busy
    }

    struct Entry: Sendable, Equatable {
        let ip: IPAddress
        var phase: Phase
        /// When the phase began, in admission order (a logical clock: older is smaller).
        var since: UInt64
    }

    let maximumConnections: Int
    let maximumPerIP: Int
    private(set) var entries: [UInt64: Entry] = [:]
    private var clock: UInt64 = 0

    init(maximumConnections: Int, maximumPerIP: Int) {
        self.maximumConnections = max(1, maximumConnections)
        self.maximumPerIP = max(1, min(maximumPerIP, maximumConnections))
    }

    var count: Int { entries.count }

    /// Admits connection `id` from `ip`; returns the connections to close to make room, or
    /// nil if it must be refused.
    mutating func admit(_ id: UInt64, from ip: IPAddress) -> [UInt64]? {
        var victims: [UInt64] = []
        if entries.values.lazy.filter({ $0.ip == ip }).count >= maximumPerIP {
            guard let victim = longestWaiting(from: ip) else { return nil }
            victims.append(victim)
            entries[victim] = nil
        }
        if entries.count >= maximumConnections {
            guard let victim = longestWaiting(from: nil) else {
                for victim in victims { entries[victim] = nil }
                return nil
            }
            victims.append(victim)
            entries[victim] = nil
        }
        clock += 1
        entries[id] = Entry(ip: ip, phase: .idle, since: clock)
        return victims
    }

    /// Connection `id` entered `phase` (ignored once it was removed or evicted).
    mutating func set(_ id: UInt64, _ phase: Phase) {
        guard var entry = entries[id], entry.phase != phase else { return }
        clock += 1
        entry.phase = phase
        entry.since = clock
        entries[id] = entry
    }

    mutating func remove(_ id: UInt64) {
        entries[id] = nil
    }

    /// The idle connection (else the reading one) that has waited longest, from `ip` or any.
    private func longestWaiting(from ip: IPAddress?) -> UInt64? {
        for phase in [Phase.idle, .reading] {
            let candidates = entries.filter { $0.value.phase == phase && (ip == nil || $0.value.ip == ip) }
            if let oldest = candidates.min(by: { $0.value.since < $1.value.since }) { return oldest.key }
        }
        return nil
    }
}
