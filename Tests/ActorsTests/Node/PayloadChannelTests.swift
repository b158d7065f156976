import Testing

@testable import Actors
@testable import Wire

@Suite struct PayloadChannelTests {
    let a = PeerIP(.v4(0x7F00_0002))
    let b = PeerIP(.v4(0x7F00_0003))

    func batch(_ peer: PeerIP, _ values: UInt8...) -> [Delivery] {
        values.map { Delivery(peer: peer, bytes: [$0]) }
    }

    @Test func payloads_arriveInOrder_thenEndAfterFinish() async {
        let channel = PayloadChannel()
        channel.yield(batch(a, 1, 2))
        channel.yield(batch(b, 3))
        channel.finish()
        channel.yield(batch(a, 9))  // after finish: dropped
        var received: [(PeerIP, [UInt8])] = []
        for await element in Payloads(channel: channel) { received.append(element) }
        #expect(received.map(\.0) == [a, a, b])
        #expect(received.map(\.1) == [[1], [2], [3]])
    }

    @Test func aWaitingConsumer_isResumedByTheNextBatch() async {
        let channel = PayloadChannel()
        let consumer = Task { await channel.next()?.map(\.bytes) }
        try? await Task.sleep(for: .milliseconds(20))  // let it wait (the result is the same if not)
        channel.yield(batch(a, 7))
        #expect(await consumer.value == [[7]])
    }

    @Test func cancellingAWaitingConsumer_endsItsIteration() async {
        let channel = PayloadChannel()
        let consumer = Task { () -> Int in
            var count = 0
            for await _ in Payloads(channel: channel) { count += 1 }
            return count
        }
        channel.yield(batch(a, 1))
        try? await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        #expect(await consumer.value == 1)
    }
}
