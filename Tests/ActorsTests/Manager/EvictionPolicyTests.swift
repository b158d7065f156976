import Testing

@testable import Actors
@testable import Wire

/// Eviction against attackers who fill the inbound slots: whatever the attacker's spread,
/// the victim is one of its own sessions, and an honest minority that is close (low ping),
/// useful or long connected keeps its slots.
@Suite struct EvictionPolicyTests {
    /// An inbound session from `ip`.
    static func peer(
        _ id: UInt64, _ ip: String, since: Double, ping: Double? = nil, activity: Double? = nil,
        direction: Direction = .inbound, manual: Bool = false
    ) -> EvictionCandidate {
        EvictionCandidate(
            id: id, ip: PeerIP(parsing: ip)!, direction: direction, isManual: manual, connectedAt: since,
            minimumPing: ping, lastUsefulActivity: activity)
    }

    /// Twelve honest peers, each from its own /16: four close ones (5 ms), four long
    /// connected (for hours), four that did useful work recently; none young.
    static let honest: [EvictionCandidate] = {
        var peers: [EvictionCandidate] = []
        for index in 0..<4 {
            let number = UInt64(index)
            peers.append(peer(1_000 + number, "23.\(10 + index).4.4", since: 5_000, ping: 0.005))
            peers.append(peer(1_100 + number, "31.\(20 + index).4.4", since: 10 + Double(index), ping: 0.150))
            peers.append(peer(1_200 + number, "45.\(30 + index).4.4", since: 6_000, ping: 0.180, activity: 9_900))
        }
        return peers
    }()
    static let honestIDs = Set(honest.map(\.id))

    static func keys(_ count: Int) -> [SipHashKey] {
        (0..<count).map { SipHashKey(k0: UInt64($0) &* 0x9E37_79B9_7F4A_7C15, k1: ~UInt64($0)) }
    }

    @Test func outboundAndManualSessions_areNeverEvicted() {
        var candidates: [EvictionCandidate] = []
        for index in 0..<30 {
            let since = 9_000 + Double(index)
            candidates.append(Self.peer(UInt64(index), "11.1.0.\(index)", since: since, direction: .outbound))
            candidates.append(Self.peer(100 + UInt64(index), "11.1.1.\(index)", since: since, manual: true))
        }
        for key in Self.keys(20) {
            #expect(EvictionPolicy.selectToEvict(candidates, netgroupKey: key) == nil)
        }
        #expect(EvictionPolicy.selectToEvict([], netgroupKey: Self.keys(1)[0]) == nil)
    }

    @Test func aFewPeers_stillLeaveAQuarterEvictable_theLowestPingsAndKeyedGroupsProtected() {
        // 4 by netgroup and 8 by ping would protect all twelve (Core's counts, made for 117
        // inbound slots); a quarter (3) stays evictable: the three highest pings but one
        // group the key protects, so the victim is one of the slowest.
        let candidates = (0..<12).map {
            Self.peer(UInt64($0), "11.\($0).0.1", since: Double($0), ping: 0.010 * Double($0 + 1))
        }
        for key in Self.keys(20) {
            let victim = EvictionPolicy.selectToEvict(candidates, netgroupKey: key)
            #expect(victim != nil)
            #expect((5...11).contains(victim?.id ?? 0), "key \(key): evicted \(String(describing: victim))")
        }
        let all = EvictionPolicy.Protection(
            byNetworkGroup: 4, byLowestPing: 8, byRecentActivity: 4, longestUptimeShare: 0.5, evictableShare: 0)
        #expect(EvictionPolicy.selectToEvict(candidates, netgroupKey: Self.keys(1)[0], protection: all) == nil)
    }

    @Test func eightInboundSybils_oneSlowHonestPeer_aNewcomerStillFindsAnEvictableSybil() {
        // The default node's 8 inbound slots full of attacker sessions, each its own /16 and
        // closer than any honest peer: without the evictable share all would be protected.
        let sybils = (0..<8).map {
            Self.peer(UInt64($0), "12.\($0).0.1", since: 100 + Double($0), ping: 0.001)
        }
        for key in Self.keys(20) {
            let victim = EvictionPolicy.selectToEvict(sybils, netgroupKey: key)
            #expect(victim != nil, "key \(key): nobody evictable")
        }
    }

    @Test func attackerFromOneSlash16_evictsItsOwnYoungest() {
        let attackers = (0..<40).map {
            Self.peer(UInt64($0), "11.1.\($0 / 250).\($0 % 250)", since: 9_000 + Double($0), ping: 0.080)
        }
        for key in Self.keys(50) {
            let victim = EvictionPolicy.selectToEvict(Self.honest + attackers, netgroupKey: key)
            #expect(victim?.id == 39, "key \(key): evicted \(String(describing: victim))")
        }
    }

    @Test func attackerSpreadOverManySlash16s_neverEvictsTheHonest() {
        // One session per /16: every group ties at one, so the youngest session goes (or,
        // if the key protects its group, one of the next youngest: 4 groups are protected).
        let attackers = (0..<60).map {
            Self.peer(UInt64($0), "11.\($0).7.7", since: 9_000 + Double($0), ping: 0.080)
        }
        for key in Self.keys(50) {
            let victim = EvictionPolicy.selectToEvict(Self.honest + attackers, netgroupKey: key)
            #expect((55...59).contains(victim?.id ?? 0), "key \(key): evicted \(String(describing: victim))")
        }
    }

    @Test func attackerThatKeepsReconnecting_neverDisplacesTheHonestMinority() {
        // The attacker always has a newcomer waiting: each eviction frees a slot it refills.
        // Some of its sessions are even closer than the honest (1 ms) or old.
        for key in Self.keys(4) {
            var table = Self.honest
            var next: UInt64 = 0
            var now = 10_000.0
            func attacker(ping: Double, since: Double) -> EvictionCandidate {
                defer { next += 1 }
                let group = next % 100
                return Self.peer(next, "12.\(group).\(next / 100 % 250).9", since: since, ping: ping)
            }
            for index in 0..<8 { table.append(attacker(ping: 0.001, since: 100 + Double(index))) }
            while table.count < 117 { table.append(attacker(ping: 0.090, since: now)) }
            for _ in 0..<250 {
                let victim = EvictionPolicy.selectToEvict(table, netgroupKey: key)
                #expect(victim.map { !Self.honestIDs.contains($0.id) } == true, "evicted \(String(describing: victim))")
                guard let victim else { break }
                table.removeAll { $0.id == victim.id }
                now += 1
                table.append(attacker(ping: 0.090, since: now))
            }
            #expect(Self.honestIDs.isSubset(of: Set(table.map(\.id))))
        }
    }

    @Test func mostCrowdedGroup_isChosen_tiesGoToTheGroupWithTheYoungestSession() {
        let none = EvictionPolicy.Protection(
            byNetworkGroup: 0, byLowestPing: 0, byRecentActivity: 0, longestUptimeShare: 0)
        let key = Self.keys(1)[0]
        let crowded = [
            Self.peer(1, "11.1.0.1", since: 1), Self.peer(2, "11.1.0.2", since: 2), Self.peer(3, "11.1.0.3", since: 3),
            Self.peer(4, "11.2.0.1", since: 50), Self.peer(5, "11.2.0.2", since: 60),
        ]
        #expect(EvictionPolicy.selectToEvict(crowded, netgroupKey: key, protection: none)?.id == 3)
        let tied = [
            Self.peer(1, "11.1.0.1", since: 1), Self.peer(2, "11.1.0.2", since: 70),
            Self.peer(4, "11.2.0.1", since: 50), Self.peer(5, "11.2.0.2", since: 60),
        ]
        #expect(EvictionPolicy.selectToEvict(tied, netgroupKey: key, protection: none)?.id == 2)
    }

    @Test func netgroupProtection_dependsOnTheSecretKey() {
        // Five peers in five groups: four are protected by group, the fifth goes. Which one
        // is the key's choice, so an attacker cannot know in advance which groups are safe.
        let candidates = (0..<5).map { Self.peer(UInt64($0), "11.\($0).0.1", since: Double($0)) }
        let victims = Set(Self.keys(64).compactMap { EvictionPolicy.selectToEvict(candidates, netgroupKey: $0)?.id })
        #expect(victims.count >= 3, "victims over 64 keys: \(victims)")
    }

    @Test func equalMeasures_protectTheIncumbent() {
        // Nine peers with the same ping: the eight oldest are protected, the newest is not.
        let protection = EvictionPolicy.Protection(
            byNetworkGroup: 0, byLowestPing: 8, byRecentActivity: 0, longestUptimeShare: 0)
        let candidates = (0..<9).map { Self.peer(UInt64($0), "11.\($0).0.1", since: Double($0), ping: 0.05) }
        let victim = EvictionPolicy.selectToEvict(candidates, netgroupKey: Self.keys(1)[0], protection: protection)
        #expect(victim?.id == 8)
    }
}
