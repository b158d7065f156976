import Testing

@testable import Wire

extension IOSuite {
    /// A peer whose frames are tiny fits thousands of them in one read: a handler that answers
    /// each must be able to stop after a slice (`.continueLater`) and let every other
    /// connection have its turn, with nothing lost, nothing reordered, and nothing more read
    /// from that peer while its frames wait.
    @Suite struct ConnectionPassSliceTests {
        /// `count` frames whose bodies are their index (4 bytes, big-endian), as one write.
        static func numberedFrames(_ count: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            for index in 0..<count {
                FrameEncoder.append(withUnsafeBytes(of: UInt32(index).bigEndian) { Array($0) }, to: &bytes)
            }
            return bytes
        }

        static func index(_ frame: Frame) -> Int {
            frame.body.reduce(0) { $0 << 8 | Int($1) }
        }

        @Test func continueLater_deliversTheRestInLaterPasses_inOrder_andReadsNothingMeanwhile() async throws {
            try await withTestReactor { reactor in
                let (listener, server, client) = try await makePair(on: reactor)
                let total = 3_000
                let slice = 100
                // Per handler call: the loop pass it ran in, the first index, frames in the batch.
                let calls = LockedValue<[(pass: Int, first: Int, frames: Int)]>([])
                let seen = LockedValue<[Int]>([])
                let delivery = Task(executorPreference: reactor) {
                    try await server.deliverBatches { batch in
                        var frames = batch.makeIterator()
                        var taken = 0
                        var first = -1
                        while true {
                            let before = frames
                            guard let frame = frames.next() else { break }
                            if taken == slice {
                                let rest = Array(before.remainingBytes).count / (Frame.headerSize + 4)
                                calls.withLock { $0.append((reactor.passStats.count, first, taken + rest)) }
                                return .continueLater(rest: before)
                            }
                            if first < 0 { first = Self.index(frame) }
                            seen.withLock { $0.append(Self.index(frame)) }
                            taken += 1
                        }
                        calls.withLock { $0.append((reactor.passStats.count, first, taken)) }
                        return seen.value.count >= total ? .pause : .proceed
                    }
                }
                try await client.sendRaw(Self.numberedFrames(total))
                #expect(try await delivery.value == .paused)
                #expect(seen.value == Array(0..<total), "lost, repeated or reordered frames")
                let log = calls.value
                // Each slice in a pass of its own, after the one before.
                for (earlier, later) in zip(log, log.dropFirst()) {
                    #expect(later.pass > earlier.pass, "two slices in one pass: \(earlier) then \(later) in \(log)")
                }
                // A deferred batch holds exactly the frames left over, nothing newly read behind
                // them (or the held bytes would grow by a read budget at every slice).
                for (earlier, later) in zip(log, log.dropFirst()) where earlier.frames > slice {
                    #expect(later.first == earlier.first + slice)
                    #expect(later.frames == earlier.frames - slice, "\(earlier) then \(later)")
                }
                await client.close()
                await server.close()
                await listener.close()
            }
        }

        @Test func aPeerFloodingTinyFrames_doesNotDelayAnotherConnection() async throws {
            try await withTestReactor { reactor in
                let (floodListener, floodServer, flooder) = try await makePair(on: reactor)
                let (listener, server, client) = try await makePair(on: reactor)
                let flood = 20_000
                let floodHandled = LockedValue(0)
                // How many flood frames had been handled when the other connection's frame was.
                let handledBeforeOther = LockedValue(-1)
                let floodDelivery = Task(executorPreference: reactor) {
                    try await floodServer.deliverBatches { batch in
                        var frames = batch.makeIterator()
                        var taken = 0
                        while true {
                            let before = frames
                            guard frames.next() != nil else { break }
                            if taken == 64 { return .continueLater(rest: before) }
                            taken += 1
                            floodHandled.withLock { $0 += 1 }
                        }
                        return floodHandled.value >= flood ? .pause : .proceed
                    }
                }
                let otherDelivery = Task(executorPreference: reactor) {
                    try await server.deliverBatches { _ in
                        handledBeforeOther.withLock { $0 = floodHandled.value }
                        return .pause
                    }
                }
                try await flooder.sendRaw(Self.numberedFrames(flood))
                // The other peer speaks once the flood is being handled.
                while floodHandled.value == 0 { await Task.yield() }
                try await client.send(frame: [7])
                try await client.flush()
                #expect(try await otherDelivery.value == .paused)
                #expect(try await floodDelivery.value == .paused)
                // 64 a pass: 20,000 frames take over 300 passes; the other frame waits a few.
                let before = handledBeforeOther.value
                #expect(before >= 0 && before < flood / 2, "handled after \(before) of \(flood) flood frames")
                #expect(floodHandled.value == flood)
                for connection in [flooder, floodServer, client, server] { await connection.close() }
                await floodListener.close()
                await listener.close()
            }
        }
    }
}
