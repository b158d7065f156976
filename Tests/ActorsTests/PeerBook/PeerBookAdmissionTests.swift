import Foundation
import Testing

@testable import Actors
@testable import Wire

/// The book's side of admission: bans kept and persisted, failing peers pruned, a loaded
/// book readied for the start, anchors saved and consumed.
@Suite struct PeerBookAdmissionTests {
    static func address(_ text: String) -> SocketAddress { try! SocketAddress(parsing: text) }

    @Test func failingPeers_arePruned_operatorPeersAndBansAreKept() {
        var book = PeerBook()
        let day = 86_400.0
        let now = 30 * day
        let entries: [(String, PeerSource, Double?, Int)] = [
            ("11.0.0.1:7071", .gossip, nil, 3),  // never connected, 3 failures: pruned
            ("11.0.0.2:7071", .gossip, nil, 2),  // 2 failures: kept
            ("11.0.0.3:7071", .peerBook, now - 8 * day, 10),  // silent 8 days, 10 failures: pruned
            ("11.0.0.4:7071", .peerBook, now - 6 * day, 10),  // silent 6 days: kept
            ("11.0.0.5:7071", .seed, nil, 50),  // a seed: kept
            ("11.0.0.6:7071", .direct, nil, 50),  // --peer: kept
            ("11.0.0.7:7071", .gossip, nil, 3),  // connected now: kept
        ]
        for (text, source, success, failures) in entries {
            let address = Self.address(text)
            book.add(address, source: source, now: 0)
            var record = book[PeerIP(address.ip)]!
            record.lastSuccess = success
            record.failures = failures
            book.overwrite(record)
        }
        book.ban(PeerIP(Self.address("11.0.0.8:1").ip), until: now + 100, reason: .protocolViolation, now: now)
        let removed = book.prune(now: now, keeping: [PeerIP(Self.address("11.0.0.7:1").ip)])
        #expect(removed == 2)
        let left = Set(book.records.values.map { $0.address.ip.description })
        #expect(left == ["11.0.0.2", "11.0.0.4", "11.0.0.5", "11.0.0.6", "11.0.0.7", "11.0.0.8"])
        // Once the ban is over, the port-less ban record goes too.
        book.prune(now: now + 200, keeping: [])
        #expect(book[PeerIP(Self.address("11.0.0.8:1").ip)] == nil)
    }

    @Test func loadedBook_isOfSourcePeerBook_andForgetsIncompatibilityCooldowns() {
        var book = PeerBook()
        book.add(Self.address("11.0.0.1:7071"), source: .gossip, now: 0)
        book.add(Self.address("11.0.0.2:7071"), source: .direct, now: 0)
        book.add(Self.address("11.0.0.3:7071"), source: .seed, now: 0)
        book.recordFailure(PeerIP(Self.address("11.0.0.1:1").ip), reason: .chainIDMismatch, now: 0)
        book.recordFailure(PeerIP(Self.address("11.0.0.3:1").ip), reason: .connectionRefused, now: 0)
        book.prepareForStart()
        #expect(book[PeerIP(Self.address("11.0.0.1:1").ip)]?.source == .peerBook)
        #expect(book[PeerIP(Self.address("11.0.0.2:1").ip)]?.source == .direct)
        #expect(book[PeerIP(Self.address("11.0.0.3:1").ip)]?.source == .peerBook)
        // Our chain id may have been fixed: try the incompatible peer again. Others keep theirs.
        #expect(book[PeerIP(Self.address("11.0.0.1:1").ip)]?.cooldownUntil == nil)
        #expect(book[PeerIP(Self.address("11.0.0.3:1").ip)]?.cooldownUntil != nil)
    }

    @Test func bans_persistInPeersJSON_withTheirReason() throws {
        var book = PeerBook()
        let ip = PeerIP(Self.address("11.0.0.1:1").ip)
        book.ban(ip, until: 5000, reason: .protocolViolation, now: 1000)
        let records = try PeerBookStore.decode(PeerBookStore.encode(book), now: 1000)
        #expect(records.count == 1)
        #expect(records.first?.bannedUntil == 5000 && records.first?.lastReason == "protocol_violation")
        #expect(records.first?.address.port == 0)
    }

    @Test func anchors_areSavedAndTakenOnce() throws {
        let directory = NSTemporaryDirectory() + "meshnode-anchors-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = AnchorStore(dataDirectory: directory)
        let saved = ["11.0.0.1:7071", "[2001:db8::1]:7072", "11.0.0.3:7071"].map(Self.address)
        try store.save(saved)
        #expect(store.take() == Array(saved.prefix(2)))
        #expect(!FileManager.default.fileExists(atPath: store.path))
        #expect(store.take().isEmpty)
        // A file that is not ours gives no anchors, and is removed all the same.
        for junk in ["{", "[1,2]", #"{"version":2,"anchors":["11.0.0.1:7071"]}"#, #"{"version":1,"anchors":[7,"x"]}"#] {
            try Data(junk.utf8).write(to: URL(fileURLWithPath: store.path))
            #expect(store.take().isEmpty, "\(junk)")
            #expect(!FileManager.default.fileExists(atPath: store.path))
        }
    }
}
