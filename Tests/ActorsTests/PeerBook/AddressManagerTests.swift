import Testing

@testable import Actors
@testable import Wire

/// The address manager against an attacker who controls what we hear: however many
/// addresses it sends and however it spreads them, the peers we dialed successfully keep
/// their share of our picks, gossip cannot pin a port, and picks are random and keyed.
@Suite struct AddressManagerTests {
    /// A seeded generator (SplitMix64), so every run draws the same.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let key = SipHashKey(k0: 0x0123_4567_89AB_CDEF, k1: 0xFEDC_BA98_7654_3210)
    static let now = 1_800_000_000.0

    static func address(_ text: String) -> SocketAddress { try! SocketAddress(parsing: text) }
    static func ip(_ text: String) -> PeerIP { PeerIP(parsing: text)! }

    /// Twelve honest peers in twelve /16s, heard from an honest seed and then dialed by us.
    static func withHonestTried() -> AddressManager {
        var manager = AddressManager(key: key)
        for index in 0..<12 {
            let honest = address("23.\(index + 1).7.7:7071")
            #expect(manager.add(honest, source: ip("23.200.0.1"), origin: .gossip, now: now - 3_600) == .added)
            manager.markGood(honest, now: now - 1_800)
        }
        return manager
    }

    /// 3,000 sybil addresses over 100 /16s, all from one attacker session.
    static func sybils() -> [SocketAddress] {
        (0..<3_000).map { index in address("11.\(index % 100 + 1).\(index / 100 % 250).\(index % 7 + 1):7071") }
    }

    @Test func sybilFlood_fromOneSource_leavesTheHonestTriedPeersAtLeastHalfOfThePicks() {
        var manager = Self.withHonestTried()
        let attacker = Self.ip("11.200.0.1")
        var stored = 0
        for sybil in Self.sybils() where manager.add(sybil, source: attacker, origin: .gossip, now: Self.now) == .added
        {
            stored += 1
        }
        // One source group reaches 16 of 256 new buckets: at most 16 × 32 entries.
        #expect(stored <= 16 * 32, "stored \(stored) sybils")
        #expect(manager.triedCount == 12)
        var generator = SeededGenerator(state: 7)
        var honestPicks = 0
        let draws = 4_000
        for _ in 0..<draws {
            let pick = manager.select(now: Self.now, using: &generator)
            if let pick, pick.address.ip.description.hasPrefix("23.") { honestPicks += 1 }
        }
        #expect(honestPicks * 2 >= draws, "honest picked \(honestPicks) of \(draws)")
        // And still after a restart that rebuilds the tables from the saved entries.
        var restored = AddressManager(key: Self.key, restoring: Array(manager.entries.values))
        #expect(restored.triedCount == 12)
        var afterRestart = 0
        for _ in 0..<draws {
            if restored.select(now: Self.now, using: &generator)?.address.ip.description.hasPrefix("23.") == true {
                afterRestart += 1
            }
        }
        #expect(afterRestart * 2 >= draws, "after restart, honest picked \(afterRestart) of \(draws)")
        print(
            "address manager: \(stored) of 3000 sybils stored; honest picks \(honestPicks)/\(draws), \(afterRestart)/\(draws) after restart"
        )
    }

    @Test func sybilsFromSevenSourceGroups_eachFillOnlyTheirOwnShareOfNew() {
        // Heilman et al.'s shape: seven attacker sessions from seven /16s, each flooding.
        var manager = Self.withHonestTried()
        var storedBySource: [Int] = []
        for source in 0..<7 {
            var stored = 0
            for sybil in Self.sybils()
            where manager.add(sybil, source: Self.ip("12.\(source + 1).0.1"), origin: .gossip, now: Self.now) == .added
            {
                stored += 1
            }
            storedBySource.append(stored)
        }
        #expect(storedBySource.allSatisfy { $0 <= 16 * 32 }, "\(storedBySource)")
        #expect(manager.newCount <= 7 * 16 * 32)
        // Seven sources fill at most 7 × 16 of the 256 buckets: honest newcomers, heard from
        // honest sources, mostly still find room.
        var landed = 0
        for index in 0..<20
        where manager.add(
            Self.address("45.\(index + 1).2.3:7071"), source: Self.ip("46.\(index + 1).0.1"), origin: .gossip,
            now: Self.now) == .added
        {
            landed += 1
        }
        #expect(landed >= 10, "\(landed) of 20 honest newcomers found room")
        var generator = SeededGenerator(state: 5)
        var honestPicks = 0
        for _ in 0..<1_000 where manager.select(now: Self.now, using: &generator)?.address.ip.isSybil == false {
            honestPicks += 1
        }
        #expect(honestPicks >= 500, "honest picked \(honestPicks) of 1000")
    }

    @Test func eightOutboundPicks_onePerSlash16_evenWhenTheAttackerFillsNew() {
        var manager = Self.withHonestTried()
        for sybil in Self.sybils() {
            _ = manager.add(sybil, source: Self.ip("11.200.0.1"), origin: .gossip, now: Self.now)
        }
        var sybilTotal = 0
        for seed in 0..<20 {
            var generator = SeededGenerator(state: UInt64(seed))
            var outbound: Set<NetworkGroup> = []
            var sybilCount = 0
            for _ in 0..<8 {
                let pick = manager.select(excludingGroups: outbound, now: Self.now, using: &generator)
                guard let pick else { break }
                #expect(!outbound.contains(pick.group), "two outbound in \(pick.group)")
                outbound.insert(pick.group)
                if pick.address.ip.description.hasPrefix("11.") { sybilCount += 1 }
            }
            #expect(outbound.count == 8)
            // Picks alternate tried and new: the attacker, only in new, gets at most half.
            #expect(sybilCount <= 4, "seed \(seed): \(sybilCount) of 8 outbound to sybils")
            sybilTotal += sybilCount
        }
        print("address manager: \(sybilTotal) of 160 outbound picks (20 trials of 8) went to sybils")
        #expect(sybilTotal <= 20 * 8 / 2, "\(sybilTotal) of 160 outbound to sybils over 20 trials")
    }

    @Test func everyGroupExcluded_selectsNothing() {
        var manager = Self.withHonestTried()
        let groups = Set(manager.entries.values.map(\.group))
        var generator = SeededGenerator(state: 1)
        #expect(manager.select(excludingGroups: groups, now: Self.now, using: &generator) == nil)
        manager = AddressManager(key: Self.key)
        #expect(manager.select(now: Self.now, using: &generator) == nil)
    }

    // The per-table counts are kept, not summed: after any mix of gossip, handshakes, good
    // dials, attempts, removals and prunes they still equal what the entries say, with groups
    // by /16 and by whole address (`--lan`).
    @Test(arguments: [false, true])
    func tableCounts_alwaysMatchTheEntries(groupsByAddress: Bool) {
        var manager = AddressManager(
            key: Self.key,
            configuration: AddressManager.Configuration(
                newBuckets: 8, triedBuckets: 4, bucketSize: 8, groupsByAddress: groupsByAddress))
        var generator = SeededGenerator(state: 99)
        func check() {
            #expect(manager.newCount == manager.entries.values.filter { $0.table == .new }.count)
            #expect(manager.triedCount == manager.entries.values.filter { $0.table == .tried }.count)
        }
        for step in 0..<3_000 {
            let host = Int.random(in: 0..<400, using: &generator)
            let address = Self.address("11.\(host % 40).\(host / 40).1:7071")
            let now = Self.now + Double(step)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<4:
                _ = manager.add(address, source: Self.ip("12.\(host % 7).0.1"), origin: .gossip, now: now)
            case 4: _ = manager.learnedFromHandshake(address, now: now)
            case 5, 6: manager.markGood(address, now: now)
            case 7: manager.markAttempt(PeerIP(address.ip), now: now)
            case 8: manager.remove(PeerIP(address.ip))
            default: manager.pruneTerrible(now: now + 40 * 86_400)
            }
            if step % 100 == 0 { check() }
        }
        check()
        #expect(manager.triedCount > 0 && manager.newCount > 0)
    }

    @Test func anInboundSession_neverMakesAnAddressTried() {
        var manager = AddressManager(key: Self.key)
        var added = 0
        for index in 0..<50
        where manager.learnedFromHandshake(Self.address("11.\(index).1.1:7071"), now: Self.now) == .added {
            added += 1
        }
        #expect(added >= 45)  // (a few collide in their bucket, as in addrman)
        #expect(manager.triedCount == 0)
        #expect(manager.newCount == added)
        #expect(manager.entries.values.allSatisfy { $0.table == .new && $0.lastSuccess == nil })
        // Only our own successful dial does.
        manager.markGood(Self.address("11.3.1.1:7071"), now: Self.now)
        #expect(manager.triedCount == 1)
        #expect(manager[Self.ip("11.3.1.1")]?.table == .tried)
    }

    @Test func gossip_cannotRepinAPortLearnedFromTheHandshake() {
        var manager = AddressManager(key: Self.key)
        let honest = Self.address("23.5.6.7:7071")
        manager.learnedFromHandshake(honest, now: Self.now)
        let liar = Self.ip("11.1.1.1")
        #expect(
            manager.add(Self.address("23.5.6.7:1"), source: liar, origin: .gossip, now: Self.now) == .refusedPinnedPort)
        #expect(manager[Self.ip("23.5.6.7")]?.address == honest)
    }

    @Test func gossip_cannotRepinAPortWeConnectedTo() {
        var manager = AddressManager(key: Self.key)
        let honest = Self.address("23.5.6.7:7071")
        manager.markGood(honest, now: Self.now)
        _ = manager.add(Self.address("23.5.6.7:1"), source: Self.ip("11.1.1.1"), origin: .gossip, now: Self.now)
        manager.markAttempt(Self.ip("23.5.6.7"), now: Self.now)
        _ = manager.add(Self.address("23.5.6.7:1"), source: Self.ip("11.1.1.1"), origin: .gossip, now: Self.now)
        #expect(manager[Self.ip("23.5.6.7")]?.address == honest)
    }

    @Test func aLiarHeardFirst_costsOneFailedDial_thenTheRightPortWins() {
        var manager = AddressManager(key: Self.key)
        let target = Self.ip("23.5.6.7")
        _ = manager.add(Self.address("23.5.6.7:1"), source: Self.ip("11.1.1.1"), origin: .gossip, now: Self.now)
        // The honest seed's list says 7071; the first port stays until it has failed.
        let honestSeed = Self.ip("23.200.0.1")
        #expect(
            manager.add(Self.address("23.5.6.7:7071"), source: honestSeed, origin: .gossip, now: Self.now)
                == .alreadyKnown)
        manager.markAttempt(target, now: Self.now)
        #expect(
            manager.add(Self.address("23.5.6.7:7071"), source: honestSeed, origin: .gossip, now: Self.now)
                == .portUpdated)
        #expect(manager[target]?.address.port == 7071)
        #expect(manager[target]?.attempts == 0)
        // And a handshake or the operator overrides an unpinned gossip port at once.
        _ = manager.add(Self.address("23.9.9.9:1"), source: Self.ip("11.1.1.1"), origin: .gossip, now: Self.now)
        #expect(manager.learnedFromHandshake(Self.address("23.9.9.9:7071"), now: Self.now) == .portUpdated)
        #expect(manager[Self.ip("23.9.9.9")]?.portPinned == true)
    }

    @Test func picksAreRandom_neverInAddressOrder() {
        var manager = AddressManager(key: Self.key)
        for index in 0..<200 {
            _ = manager.add(
                Self.address("23.\(index / 10 + 1).\(index % 10).1:7071"), source: Self.ip("31.\(index).0.1"),
                origin: .gossip, now: Self.now)
        }
        var firstPicks: [PeerIP: Int] = [:]
        for seed in 0..<200 {
            var generator = SeededGenerator(state: UInt64(seed))
            if let pick = manager.select(now: Self.now, using: &generator) { firstPicks[pick.ip, default: 0] += 1 }
        }
        #expect(firstPicks.count >= 80, "only \(firstPicks.count) distinct first picks over 200 runs")
        let lowest = manager.entries.keys.min()!
        #expect((firstPicks[lowest] ?? 0) <= 10, "the lowest IP was picked first \(firstPicks[lowest] ?? 0) times")
    }

    @Test func failingAndRecentlyTriedEntries_arePickedLess() {
        var manager = AddressManager(key: Self.key)
        let fresh = Self.address("23.1.1.1:7071")
        let failing = Self.address("23.2.1.1:7071")
        manager.markGood(fresh, now: Self.now - 7_200)
        manager.markGood(failing, now: Self.now - 7_200)
        for _ in 0..<4 { manager.markAttempt(failing.peerIP, now: Self.now - 30) }
        var generator = SeededGenerator(state: 3)
        var freshPicks = 0
        for _ in 0..<1_000 where manager.select(now: Self.now, using: &generator)?.address == fresh {
            freshPicks += 1
        }
        #expect(freshPicks >= 900, "fresh picked \(freshPicks) of 1000")
    }

    @Test func terribleEntries_arePruned_operatorGivenAndFreshOnesStay() {
        var manager = AddressManager(key: Self.key)
        let source = Self.ip("31.1.1.1")
        let failing = Self.address("23.1.1.1:7071")
        let stale = Self.address("23.2.1.1:7071")
        let fromTheFuture = Self.address("23.3.1.1:7071")
        let justTried = Self.address("23.4.1.1:7071")
        let fresh = Self.address("23.5.1.1:7071")
        let seed = Self.address("23.6.1.1:7071")
        _ = manager.add(failing, source: source, origin: .gossip, now: Self.now)
        for _ in 0..<3 { manager.markAttempt(failing.peerIP, now: Self.now - 3_600) }
        _ = manager.add(stale, source: source, origin: .gossip, now: Self.now - 31 * 86_400)
        _ = manager.add(fromTheFuture, source: source, origin: .gossip, now: Self.now + 86_400)
        _ = manager.add(justTried, source: source, origin: .gossip, now: Self.now)
        for _ in 0..<5 { manager.markAttempt(justTried.peerIP, now: Self.now - 10) }
        _ = manager.add(fresh, source: source, origin: .gossip, now: Self.now)
        _ = manager.add(seed, source: source, origin: .seed, now: Self.now - 90 * 86_400)
        for _ in 0..<9 { manager.markAttempt(seed.peerIP, now: Self.now - 3_600) }
        let pruned = Set(manager.pruneTerrible(now: Self.now))
        #expect(pruned == [failing, stale, fromTheFuture])
        #expect(Set(manager.entries.values.map(\.address)) == [justTried, fresh, seed])
    }

    @Test func aTakenPosition_goesToTheNewcomerOnlyIfTheIncumbentIsTerrible() {
        // One bucket of one position: every address collides.
        let tiny = AddressManager.Configuration(
            newBuckets: 1, triedBuckets: 1, bucketSize: 1, newBucketsPerSourceGroup: 1, triedBucketsPerGroup: 1)
        var manager = AddressManager(key: Self.key, configuration: tiny)
        let source = Self.ip("31.1.1.1")
        #expect(manager.add(Self.address("23.1.1.1:7071"), source: source, origin: .gossip, now: Self.now) == .added)
        #expect(
            manager.add(Self.address("23.2.1.1:7071"), source: source, origin: .gossip, now: Self.now)
                == .refusedBucketTaken)
        for _ in 0..<3 { manager.markAttempt(Self.ip("23.1.1.1"), now: Self.now - 3_600) }
        #expect(manager.add(Self.address("23.2.1.1:7071"), source: source, origin: .gossip, now: Self.now) == .added)
        #expect(manager[Self.ip("23.1.1.1")] == nil)
        // The operator's peers always find a place.
        #expect(manager.add(Self.address("23.3.1.1:7071"), source: source, origin: .direct, now: Self.now) == .added)
        // Named by the operator after gossip: the operator's from then on.
        var roomy = AddressManager(key: Self.key)
        _ = roomy.add(Self.address("23.2.1.1:7071"), source: source, origin: .gossip, now: Self.now)
        #expect(roomy[Self.ip("23.2.1.1")]?.isOperatorGiven == false)
        _ = roomy.add(Self.address("23.2.1.1:7071"), source: source, origin: .seed, now: Self.now)
        #expect(roomy[Self.ip("23.2.1.1")]?.isOperatorGiven == true)
    }

    @Test func aPeerDisplacedFromTried_goesBackToNew() {
        let small = AddressManager.Configuration(
            newBuckets: 64, triedBuckets: 1, bucketSize: 1, newBucketsPerSourceGroup: 8, triedBucketsPerGroup: 1)
        var manager = AddressManager(key: Self.key, configuration: small)
        manager.markGood(Self.address("23.1.1.1:7071"), now: Self.now)
        manager.markGood(Self.address("23.2.1.1:7071"), now: Self.now)
        #expect(manager[Self.ip("23.2.1.1")]?.table == .tried)
        #expect(manager[Self.ip("23.1.1.1")]?.table == .new)
        #expect(manager.triedCount == 1 && manager.newCount == 1)
    }

    @Test func restoringAHandEditedBook_dropsImpossibleValues() {
        let group = NetworkGroup(Self.ip("31.1.1.1"))
        let saved = [
            AddressManager.Entry(
                address: Self.address("23.1.1.1:7071"), origin: .gossip, sourceGroup: group, portPinned: false,
                table: .tried, lastSeen: .nan),
            AddressManager.Entry(
                address: Self.address("23.2.1.1:7071"), origin: .gossip, sourceGroup: group, portPinned: false,
                table: .tried, lastSeen: Self.now, lastTry: .infinity, attempts: -5),
        ]
        var manager = AddressManager(key: Self.key, restoring: saved)
        #expect(manager[Self.ip("23.1.1.1")] == nil)
        let kept = manager[Self.ip("23.2.1.1")]
        // Claimed tried without a success: it goes to new; the bad numbers are cleared.
        #expect(kept?.table == .new)
        #expect(kept?.lastTry == nil)
        #expect(kept?.attempts == 0)
        manager.markAttempt(Self.ip("23.2.1.1"), now: Self.now)
        #expect(manager[Self.ip("23.2.1.1")]?.attempts == 1)
    }

    @Test func aTenThousandEntryBook_picksEightOutboundInDistinctGroups() {
        var manager = AddressManager(key: Self.key)
        for index in 0..<10_000 {
            let address = Self.address("\(20 + index % 50).\(index / 50 % 250).\(index % 7).1:7071")
            _ = manager.add(address, source: Self.ip("\(60 + index % 40).1.0.1"), origin: .gossip, now: Self.now)
            if index % 20 == 0 { manager.markGood(address, now: Self.now) }
        }
        var generator = SeededGenerator(state: 9)
        let started = ContinuousClock.now
        var outbound: Set<NetworkGroup> = []
        for _ in 0..<8 {
            if let pick = manager.select(excludingGroups: outbound, now: Self.now, using: &generator) {
                outbound.insert(pick.group)
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(outbound.count == 8)
        print("address manager: \(manager.count) entries, 8 outbound picks in \(elapsed)")
    }

    @Test func sharedAddresses_areDistinctBoundedAndBucketFirst() {
        var manager = Self.withHonestTried()
        for sybil in Self.sybils() {
            _ = manager.add(sybil, source: Self.ip("11.200.0.1"), origin: .gossip, now: Self.now)
        }
        var generator = SeededGenerator(state: 11)
        let shared = manager.sample(limit: 50, now: Self.now, using: &generator)
        #expect(shared.count <= 50)
        #expect(Set(shared).count == shared.count)
        // Half the draws go to tried: the honest dozen is always in a shared list.
        let honest = shared.filter { $0.ip.description.hasPrefix("23.") }
        #expect(honest.count == 12, "\(honest.count) honest of \(shared.count)")
    }
}

extension SocketAddress {
    fileprivate var peerIP: PeerIP { PeerIP(ip) }
}

extension IPAddress {
    /// The tests' attackers live in 11.0.0.0/8.
    fileprivate var isSybil: Bool { description.hasPrefix("11.") }
}
