import Foundation
import TestSupport
import Testing

@testable import Actors
@testable import Wire

extension MeshSuite {
    @Suite struct PeerBookPersistenceTests {
        static func temporaryDirectory() -> String {
            let path = NSTemporaryDirectory() + "meshnode-test-\(UInt32.random(in: 0...UInt32.max))"
            try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }

        @Test func peerBook_survivesRestart() async throws {
            let directory = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let a = testAddress(21, 2)
            let b = testAddress(21, 1)
            let withSeed = testConfiguration(a) {
                $0.seeds = [b]
                $0.dataDirectory = directory
            }
            try await withNodes([withSeed, testConfiguration(b)], persist: true) { nodes in
                #expect(await eventually { await nodes[0].manager.sessions.count == 1 })
            }
            // Restart without the seed: the persisted book still knows b, and dials it.
            let bare = testConfiguration(a) { $0.dataDirectory = directory }
            try await withNodes([bare, testConfiguration(b)], persist: true) { nodes in
                let record = await nodes[0].manager.book[PeerIP(b.ip)]
                #expect(record?.lastSuccess != nil)
                #expect(await eventually { await nodes[0].manager.sessions.count == 1 })
            }
        }

        @Test(arguments: [
            "{ not json", "", "{\"version\":1,\"peers\":[{\"address\":", "[1,2,3]", "{\"version\":7,\"peers\":[]}",
        ])
        func corruptPeerBook_isMovedAside_andTheNodeStartsWithSeeds(_ content: String) async throws {
            let directory = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await ExclusiveIO.shared.run {  // a file is a descriptor while it is written
                try Data(content.utf8).write(to: URL(fileURLWithPath: directory + "/peers.json"))
            }
            let seed = testAddress(22, 1)
            let configuration = testConfiguration(testAddress(22, 2)) {
                $0.seeds = [seed]
                $0.dataDirectory = directory
            }
            try await withNodes([configuration, testConfiguration(seed)], persist: true) { nodes in
                #expect(await eventually { await nodes[0].manager.sessions.count == 1 })
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(files.contains { $0.hasPrefix("peers.json.corrupt-") }, "\(files)")
            let saved = try await ExclusiveIO.shared.run {
                try Data(contentsOf: URL(fileURLWithPath: directory + "/peers.json"))
            }
            let json = try JSONSerialization.jsonObject(with: saved) as? [String: Any]
            #expect((json?["peers"] as? [Any])?.count == 1, "\(String(decoding: saved, as: UTF8.self))")
        }
    }
}
