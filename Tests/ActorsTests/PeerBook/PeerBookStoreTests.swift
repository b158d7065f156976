import Glibc
import Testing

@testable import Actors
@testable import Diagnostics
@testable import Wire

/// peers.json is outside input: a person edits it, a disk garbles it. Whatever numbers it
/// holds, loading gives records the node could have written itself, and no later arithmetic
/// on them traps.
@Suite struct PeerBookStoreTests {
    static let now: Double = 1_800_000_000

    static func decode(_ entry: String) throws -> PeerRecord {
        let file = #"{"version":1,"peers":[{"address":"8.8.8.8:7071","source":"seed",\#(entry)}]}"#
        return try #require(try PeerBookStore.decode(Array(file.utf8), now: now).first)
    }

    @Test func extremeCounters_areClampedOnLoad() throws {
        let maximal = try Self.decode(
            #""first_seen":1,"failures":9223372036854775807,"violations":9223372036854775807,"health":9223372036854775807"#
        )
        #expect(maximal.failures == PeerBook.maximumFailures)
        #expect(maximal.violations == PeerBook.violationsBeforeBan)
        #expect(maximal.health == 100)
        let minimal = try Self.decode(
            #""first_seen":1,"failures":-9223372036854775808,"violations":-1,"health":-9223372036854775808"#)
        #expect(minimal.failures == 0 && minimal.violations == 0 && minimal.health == 0)
        let fractional = try Self.decode(#""first_seen":1,"failures":1e300,"violations":"many","health":50.5"#)
        #expect(fractional.failures == 0 && fractional.violations == 0 && fractional.health == 100)
    }

    @Test func timestamps_areClampedIntoWhatTheNodeCouldHaveWritten() throws {
        let future = try Self.decode(
            #""first_seen":1e308,"last_attempt":9e18,"last_success":1.7976931348623157e308,"#
                + #""cooldown_until":1e300,"banned_until":1e300"#)
        #expect(future.firstSeen == Self.now && future.lastAttempt == Self.now && future.lastSuccess == Self.now)
        #expect(future.cooldownUntil == Self.now + PeerBook.maximumCooldown)
        #expect(future.bannedUntil == Self.now + PeerBook.maximumBanDuration)
        let past = try Self.decode(
            #""first_seen":-1e308,"last_attempt":-5,"last_success":-1e300,"cooldown_until":-1e308,"banned_until":-1"#)
        #expect(past.firstSeen == 0 && past.lastAttempt == 0 && past.lastSuccess == 0)
        #expect(past.cooldownUntil == 0 && past.bannedUntil == 0)
        // Not numbers at all: an optional time is dropped, first_seen becomes now.
        let words = try Self.decode(
            #""first_seen":"NaN","last_attempt":"Infinity","last_success":null,"cooldown_until":[],"#
                + #""banned_until":{},"last_reason":"x\u0000\ny""#)
        #expect(words.firstSeen == Self.now && words.lastAttempt == nil && words.lastSuccess == nil)
        #expect(words.cooldownUntil == nil && words.bannedUntil == nil && words.lastReason == nil)
    }

    @Test func clampedRecords_takeFailuresAndViolations_withoutTrapping() throws {
        var book = PeerBook()
        let loaded = try Self.decode(#""first_seen":1,"failures":9223372036854775807,"violations":9223372036854775807"#)
        book.replaceAll([loaded])
        book.recordFailure(loaded.ip, reason: .connectionRefused, now: Self.now)
        book.recordFailure(loaded.ip, reason: .protocolViolation, now: Self.now)
        let record = try #require(book[loaded.ip])
        #expect(record.failures == PeerBook.maximumFailures)
        #expect(record.cooldownUntil == Self.now + PeerBook.maximumCooldown)
        // The loaded violations were at the threshold: one more bans.
        #expect(record.bannedUntil == Self.now + PeerBook.banDuration)
    }

    // Records set in memory (by code, not from the file) saturate too.
    @Test func counters_saturateWhateverTheirValue() throws {
        var book = PeerBook()
        let address = SocketAddress(ip: .v4(0x0808_0808), port: 7071)
        book.add(address, source: .seed, now: 0)
        var record = try #require(book[PeerIP(address.ip)])
        for (failures, violations, health) in [(Int.max, Int.max, Int.min), (Int.min, Int.min, Int.max)] {
            record.failures = failures
            record.violations = violations
            record.health = health
            book.overwrite(record)
            book.recordFailure(record.ip, reason: .protocolViolation, now: 10)
            let after = try #require(book[record.ip])
            #expect((0...PeerBook.maximumFailures).contains(after.failures))
            #expect((0...PeerBook.violationsBeforeBan).contains(after.violations))
            #expect((0...100).contains(after.health))
        }
        for failures in [Int.min, -1, 0, 1, 21, 22, Int.max] {
            #expect(
                (PeerBook.baseCooldown...PeerBook.maximumCooldown).contains(PeerBook.cooldown(afterFailures: failures)))
        }
    }

    @Test func savedBook_ofClampedRecords_loadsBackEqual() throws {
        let loaded = try Self.decode(
            #""first_seen":-1e308,"failures":9223372036854775807,"cooldown_until":1e300,"last_reason":"timeout""#)
        var book = PeerBook()
        book.replaceAll([loaded])
        let again = try PeerBookStore.decode(PeerBookStore.encode(book), now: Self.now)
        #expect(again == [loaded])
    }

    // The address manager's part of the book survives a restart: tried stays tried, with its
    // source group, pinned port and attempts, under the same key.
    @Test func addressManagerTables_roundTripThroughPeersJSON() throws {
        let key = SipHashKey(k0: 1, k1: 2)
        var book = PeerBook(key: key)
        let reached = SocketAddress(ip: .v4(0x0808_0808), port: 7071)
        let gossiped = SocketAddress(ip: .v4(0x0909_0909), port: 7072)
        book.add(reached, source: .gossip, from: PeerIP(.v4(0x0A0A_0A0A)), now: Self.now - 100)
        book.recordAttempt(PeerIP(reached.ip), now: Self.now - 90)
        book.recordSuccess(reached, direction: .outbound, now: Self.now - 80)
        book.add(gossiped, source: .gossip, from: PeerIP(.v4(0x0B0B_0B0B)), now: Self.now - 70)
        book.recordAttempt(PeerIP(gossiped.ip), now: Self.now - 60)
        let loaded = try PeerBookStore.decodeBook(PeerBookStore.encode(book), now: Self.now)
        var again = PeerBook(key: key)
        again.replaceAll(loaded.map(\.record), entries: loaded.map(\.entry), now: Self.now)
        #expect(again.addresses.entries == book.addresses.entries)
        #expect(again.addresses[PeerIP(reached.ip)]?.table == .tried)
        #expect(again.addresses[PeerIP(gossiped.ip)]?.sourceGroup == NetworkGroup(PeerIP(.v4(0x0B0B_0B0B))))
        #expect(again.addresses[PeerIP(gossiped.ip)]?.attempts == 1)
        #expect(again == book)
    }

    // A peers.json written before the address manager was wired in (no table fields) loads:
    // every address in new, as the peer's own word.
    @Test func aBookWrittenByAnOlderNode_loadsIntoNew() throws {
        let file =
            #"{"version":1,"peers":[{"address":"8.8.8.8:7071","source":"gossip","first_seen":1,"#
            + #""last_success":2,"failures":0,"violations":0,"health":100}]}"#
        let loaded = try PeerBookStore.decodeBook(Array(file.utf8), now: Self.now)
        #expect(loaded.count == 1 && loaded[0].entry == nil)
        var book = PeerBook()
        book.replaceAll(loaded.map(\.record), entries: loaded.map(\.entry), now: Self.now)
        let entry = try #require(book.addresses[PeerIP(.v4(0x0808_0808))])
        #expect(entry.table == .new && entry.address.port == 7071 && entry.lastSuccess == 2)
        #expect(book.count == 1)
    }

    @Test func handEditedAddressManagerFields_areClamped() throws {
        let file =
            #"{"version":1,"peers":[{"address":"8.8.8.8:7071","source":"gossip","first_seen":1,"#
            + #""table":"tried","source_group":"not hex","pinned":"yes","last_seen":1e308,"#
            + #""attempts":9223372036854775807}]}"#
        let entry = try #require(try PeerBookStore.decodeBook(Array(file.utf8), now: Self.now).first?.entry)
        #expect(entry.table == .new, "tried without a success")
        #expect(entry.sourceGroup == NetworkGroup(IPAddress.v4(0x0808_0808)))
        #expect(entry.portPinned == false)
        #expect(entry.lastSeen == Self.now)
        #expect(entry.attempts == PeerBook.maximumFailures)
    }

    @Test func theAddressKey_isMadeOnce_keptAcrossStarts_andAGarbledFileIsReplaced() throws {
        let directory = "/tmp/meshnode-addrman-key-\(UInt32.random(in: 0...UInt32.max))"
        try Posix.makeDirectories(directory)
        defer {
            Posix.removeFile(directory + "/" + AddressKeyStore.fileName)
            rmdir(directory)
        }
        let store = AddressKeyStore(dataDirectory: directory)
        let (first, created) = try store.loadOrCreate()
        #expect(created == .created)
        let (second, loaded) = try store.loadOrCreate()
        #expect(loaded == .loaded && second == first)
        try Posix.writeFileAtomically(store.path, Array("hand edited\n".utf8))
        let (third, replaced) = try store.loadOrCreate()
        #expect(replaced == .replacedInvalid && third != first)
        let (fourth, reloaded) = try store.loadOrCreate()
        #expect(reloaded == .loaded && fourth == third)
    }
}
