import Testing

@testable import Wire

@Suite struct OutboundQueueTests {
    func unsent(_ queue: OutboundQueue) -> [UInt8] {
        queue.withUnsentBuffers(maximumChunks: 64) { buffers in buffers.flatMap { Array($0) } }
    }

    @Test func encodesIntoOneOwnedChunk() {
        var queue = OutboundQueue()
        queue.encode { $0.append(contentsOf: [1, 2]) }
        queue.encode { $0.append(contentsOf: [3]) }
        #expect(queue.pendingChunks == 1)
        #expect(queue.count == 3)
        #expect(unsent(queue) == [1, 2, 3])
    }

    @Test func sharedChunk_isNeverWrittenInto() {
        var queue = OutboundQueue()
        let shared: [UInt8] = [9, 9]
        queue.append(chunk: shared)
        queue.encode { $0.append(7) }
        #expect(shared == [9, 9])
        #expect(queue.pendingChunks == 2)
        #expect(unsent(queue) == [9, 9, 7])
    }

    @Test func consume_acrossChunksKeepsOrder() {
        var queue = OutboundQueue()
        queue.append(chunk: [1, 2, 3])
        queue.append(chunk: [4, 5])
        queue.encode { $0.append(contentsOf: [6, 7]) }
        queue.consume(2)
        #expect(unsent(queue) == [3, 4, 5, 6, 7])
        queue.consume(2)
        #expect(unsent(queue) == [5, 6, 7])
        #expect(queue.withFirstUnsentBuffer { Array($0) } == [5])
        queue.consume(3)
        #expect(queue.isEmpty)
        queue.encode { $0.append(8) }
        #expect(unsent(queue) == [8])
    }

    @Test func manyChunks_compactAndStayCorrect() {
        var queue = OutboundQueue()
        var expected: [UInt8] = []
        for index in 0..<200 {
            let chunk = [UInt8(truncatingIfNeeded: index), UInt8(truncatingIfNeeded: index &* 3)]
            queue.append(chunk: chunk)
            expected += chunk
            if index % 3 == 0 && queue.count >= 3 {
                queue.consume(3)
                expected.removeFirst(3)
            }
        }
        #expect(queue.count == expected.count)
        let all = queue.withUnsentBuffers(maximumChunks: 1000) { $0.flatMap { Array($0) } }
        #expect(all == expected)
    }
}

extension OutboundQueueTests {
    @Test func sentOwnedChunk_isReusedWithoutReallocating() {
        var queue = OutboundQueue()
        queue.encode { $0.append(contentsOf: [UInt8](repeating: 1, count: 1000)) }
        let first = queue.withFirstUnsentBuffer { $0.baseAddress }
        queue.consume(1000)
        queue.encode { $0.append(2) }
        let second = queue.withFirstUnsentBuffer { $0.baseAddress }
        #expect(first == second)
        #expect(unsent(queue) == [2])
    }
}
