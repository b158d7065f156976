import Testing

@testable import Actors
@testable import Wire

extension MeshSuite {
    /// A peer that sends thousands of small messages at once (issue #12: 5,000 Pings fit in one
    /// read, each owed a Pong) is handled a slice per loop pass, and slicing loses nothing:
    /// every message is answered or delivered, in the order it came.
    @Suite struct PeerFloodTests {
        @Test func pingsAndPayloadsInOneBurst_areAllAnsweredAndDelivered_inOrder() async throws {
            let configuration = testConfiguration(testAddress(27, 1))
            try await withManualClockNode(configuration) { node, reactor in
                let (client, _) = try await node.startedSession(from: testAddress(27, 2).ip, reactor: reactor)
                // Far more than one pass's slice (PeerConnection.messagesPerPass), in one write.
                let count = 8 * PeerConnection.messagesPerPass
                var burst: [UInt8] = []
                for index in 0..<count {
                    let message: Message =
                        index.isMultiple(of: 2)
                        ? .ping(nonce: UInt64(index)) : .payload(withUnsafeBytes(of: UInt32(index)) { Array($0) })
                    message.encodeFrame(into: &burst)
                }
                let payloads = Task {
                    var received: [[UInt8]] = []
                    for await (_, bytes) in node.payloads {
                        received.append(bytes)
                        if received.count == count / 2 { break }
                    }
                    return received
                }
                try await client.sendRaw(burst)
                let pongs = try await client.readMessages { messages in
                    messages.count { if case .pong = $0 { true } else { false } } == count / 2
                }.compactMap { message -> Int? in
                    if case .pong(let nonce) = message { Int(nonce) } else { nil }
                }
                #expect(pongs == Array(stride(from: 0, to: count, by: 2)), "Pongs lost or out of order")
                let delivered = await payloads.value.map { bytes in
                    bytes.withUnsafeBytes { Int($0.loadUnaligned(as: UInt32.self)) }
                }
                #expect(delivered == Array(stride(from: 1, to: count, by: 2)), "payloads lost or out of order")
                #expect(await node.manager.sessions.count == 1)
                await client.close()
            }
        }
    }
}
