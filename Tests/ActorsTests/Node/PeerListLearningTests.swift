import Testing

@testable import Actors
@testable import Wire

extension MeshSuite {
    /// Learning a PeerList costs the reactor 1–2 µs an address, and several peers' answers can
    /// arrive in one loop pass: of any list at most `maximumLearnedPerList` addresses are
    /// learned, a random sample of a longer one.
    @Suite struct PeerListLearningTests {
        @Test func aThousandEntryAnswer_teachesAtMostTheSample() async throws {
            let configuration = testConfiguration(testAddress(28, 1))
            try await withManualClockNode(configuration) { node, reactor in
                // On a LAN every peer is asked for addresses when its session starts (right after
                // its liveness): from then on one PeerList is owed.
                let (client, _) = try await node.startedSession(from: testAddress(28, 2).ip, reactor: reactor)
                let before = await node.manager.book.count
                // 1,000 distinct addresses (the address manager alone would keep up to 512 of
                // them from one source: 16 buckets of 32).
                let answer = (0..<1_000).map { index in
                    SocketAddress(ip: .v4(0x0B00_0000 | UInt32(index + 1) << 8 | 1), port: 7071)
                }
                try await client.send(.peerList(answer))
                #expect(await eventually { await node.manager.book.count > before })
                // Learned in one step on the loop: once it grew, it grew by all it will.
                let learned = await node.manager.book.count - before
                #expect(learned > 0 && learned <= PeerConnection.maximumLearnedPerList, "learned \(learned)")
                await client.close()
            }
        }
    }
}
