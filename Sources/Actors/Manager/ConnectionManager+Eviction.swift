import Diagnostics
import Wire

/// Eviction when inbound is full (INTERFACE.md, "A hostile network"): a newcomer may take the
/// slot of an inbound peer chosen by `EvictionPolicy` (Bitcoin Core's SelectNodeToEvict), so
/// that whoever holds the inbound slots first cannot keep honest newcomers out for good.
extension ConnectionManager {
    /// Makes room for `newcomer` by closing one inbound session as `evicted` (the peer is told
    /// so in its Disconnect); false if every inbound peer is protected or inbound is not full.
    func evictForNewcomer(_ newcomer: PeerIP) -> Bool {
        guard table.inboundIsFullForNewcomer(newcomer) else { return false }
        var candidates: [EvictionCandidate] = []
        for (ip, session) in table.sessions where session.direction == .inbound {
            // Same reactor as this actor: the session's measurements are readable synchronously.
            let minimumPing = registry.assumeIsolated { $0.peers[ip] }?.assumeIsolated { $0.minimumRTT }
            candidates.append(
                EvictionCandidate(
                    id: session.id, ip: ip, direction: .inbound, isManual: table.manual.contains(ip),
                    connectedAt: session.since, minimumPing: minimumPing))
        }
        guard let victim = EvictionPolicy.selectToEvict(candidates, netgroupKey: evictionKey) else { return false }
        logger.log(
            .info, "peer.evicted", peer: victim.ip.description, reason: .evicted,
            [("for", .string(newcomer.description))], origin: .outsider)
        perform(table.close(victim.ip, reason: .evicted))
        return true
    }
}

extension PeerTable {
    /// Inbound is full, and only that stands between a new IP and a pending slot: evicting
    /// someone would let it in (a flood of pending handshakes is refused, not made room for).
    func inboundIsFullForNewcomer(_ ip: PeerIP) -> Bool {
        guard sessions[ip] == nil, !connecting.contains(ip), !pending.contains(ip),
            newPendingCount < limits.pendingLimit
        else { return false }
        let counts = slotCounts()
        return counts.inbound >= limits.inboundSlots && limits.inboundSlots > 0
    }

    /// Takes `ip` into the slot an eviction just freed. Every other check (ban, throttle, per
    /// IP and per group) passed when it was refused for a full inbound a moment ago; running
    /// them again would count it twice (the throttle would refuse its own second look).
    mutating func admitAfterEviction(_ ip: PeerIP) -> ReasonCode? {
        let counts = slotCounts()
        guard counts.inbound < limits.inboundSlots, counts.occupied < limits.maximumPeers else {
            return .maxPeersReached
        }
        pending.insert(ip)
        return nil
    }
}
