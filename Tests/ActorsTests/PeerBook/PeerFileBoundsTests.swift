import Foundation
import TestSupport
import Testing

@testable import Actors
@testable import Wire

/// The data dir's files are outside input (a person edits them, a link can point anywhere):
/// each is read no further than its bound, and a FIFO in a file's place cannot hang the start.
@Suite struct PeerFileBoundsTests {
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "meshnode-bounds-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func peerBookLinkedToDevZero_isReadToItsBound_andMovedAside() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(symlink("/dev/zero", directory + "/peers.json") == 0)
        // Timed inside the lock: waiting for other tests' I/O is not the read.
        let (outcome, book, elapsed) = try await ExclusiveIO.shared.run {
            var book = PeerBook()
            let started = ContinuousClock.now
            let outcome = try PeerBookStore(dataDirectory: directory).load(into: &book)
            return (outcome, book, ContinuousClock.now - started)
        }
        guard case .corrupt(let reason, let aside) = outcome else {
            Issue.record("expected corrupt, got \(outcome)")
            return
        }
        #expect(reason.contains("larger than"), "\(reason)")
        #expect(aside.hasPrefix(directory + "/peers.json.corrupt-"))
        #expect(book.count == 0)
        // 16 MiB of zeros at most: an unbounded read never ends (it grew 250 MB a second).
        #expect(elapsed < .seconds(60))
    }

    @Test func peerBookThatIsAFIFO_withNoWriter_isCorrupt_notAHang() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(mkfifo(directory + "/peers.json", 0o600) == 0)
        let outcome = try await ExclusiveIO.shared.run {
            var book = PeerBook()
            return try PeerBookStore(dataDirectory: directory).load(into: &book)
        }
        guard case .corrupt = outcome else {
            Issue.record("expected corrupt, got \(outcome)")
            return
        }
    }

    @Test func anchorsLinkedToDevZero_giveNoAnchors_andTheLinkIsRemoved() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(symlink("/dev/zero", directory + "/anchors.json") == 0)
        let anchors = await ExclusiveIO.shared.run { AnchorStore(dataDirectory: directory).take() }
        #expect(anchors.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory + "/anchors.json"))
    }
}
