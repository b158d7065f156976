import Testing

@testable import Actors
@testable import Wire

@Suite struct PeerEventsTests {
    static let ip = PeerIP(.v4(0x7F00_0001))

    @Test func aSubscriberThatFellBehind_getsTheDroppedCountFirst_thenTheNewestEvents() async {
        let hub = PeerEventHub(capacity: 3)
        let events = hub.subscribe()
        for second in 1...5 { hub.yield(.banned(Self.ip, until: Double(second), reason: "r")) }
        hub.finish()
        var received: [PeerEvent] = []
        for await event in events { received.append(event) }
        #expect(
            received == [
                .dropped(2), .banned(Self.ip, until: 3, reason: "r"), .banned(Self.ip, until: 4, reason: "r"),
                .banned(Self.ip, until: 5, reason: "r"),
            ])
    }

    @Test func everySubscriberSeesEveryEvent_andAnEndedOneIsForgotten() async {
        let hub = PeerEventHub(capacity: 8)
        let first = hub.subscribe()
        var second: PeerEvents? = hub.subscribe()
        #expect(hub.subscriberCount == 2)
        hub.yield(.unbanned(Self.ip))
        var a = first.makeAsyncIterator()
        var b = second!.makeAsyncIterator()
        #expect(await a.next() == .unbanned(Self.ip))
        #expect(await b.next() == .unbanned(Self.ip))
        second = nil
        b = PeerEventHub(capacity: 1).subscribe().makeAsyncIterator()  // drop the last reference
        #expect(hub.subscriberCount == 1)
        hub.finish()
        #expect(await a.next() == nil)
        var after = hub.subscribe().makeAsyncIterator()
        #expect(await after.next() == nil, "a subscription after the end ends at once")
        _ = b
    }

    @Test func aSubscriptionSeesOnlyEventsAfterIt() async {
        let hub = PeerEventHub(capacity: 8)
        hub.yield(.unbanned(Self.ip))
        let late = hub.subscribe()
        hub.yield(.dropped(9))
        hub.finish()
        var received: [PeerEvent] = []
        for await event in late { received.append(event) }
        #expect(received == [.dropped(9)])
    }
}

@Suite struct ChannelHubTests {
    static let a = PeerIP(.v4(0x7F00_0001))
    static let b = PeerIP(.v4(0x7F00_0002))

    final class Signals: Sendable {
        let log = LockedValue<[String]>([])
        func record(_ ip: PeerIP, _ paused: Bool) { log.withLock { $0.append("\(paused ? "pause" : "resume") \(ip)") } }
    }

    @Test func aPeerOverTheHighWatermark_isPaused_andResumedUnderTheLowOne_othersUntouched() async {
        let hub = ChannelHub(catchAll: PayloadChannel(), highWatermark: 100)
        let signals = Signals()
        hub.onPressure { signals.record($0, $1) }
        let payloads = ChannelPayloads(subscription: hub.subscribe(1))
        hub.deliver([Delivery(peer: Self.a, bytes: Array(repeating: 0, count: 60), channel: 1)])
        hub.deliver([Delivery(peer: Self.b, bytes: Array(repeating: 0, count: 10), channel: 1)])
        #expect(signals.log.value.isEmpty)
        hub.deliver([Delivery(peer: Self.a, bytes: Array(repeating: 0, count: 40), channel: 1)])
        #expect(signals.log.value == ["pause 127.0.0.1"])
        var iterator = payloads.makeAsyncIterator()
        _ = await iterator.next()  // a's 60: 40 left, under 50
        #expect(signals.log.value == ["pause 127.0.0.1", "resume 127.0.0.1"])
        _ = await iterator.next()
        _ = await iterator.next()
        #expect(signals.log.value.count == 2)
    }

    @Test func everyBatchOverTheMark_asksForThePauseAgain_aReconnectedPeerIsHeldBackToo() {
        let hub = ChannelHub(catchAll: PayloadChannel(), highWatermark: 10)
        let signals = Signals()
        hub.onPressure { signals.record($0, $1) }
        _ = hub.subscribe(1)
        hub.deliver([Delivery(peer: Self.a, bytes: Array(repeating: 0, count: 20), channel: 1)])
        hub.deliver([Delivery(peer: Self.a, bytes: [1], channel: 1)])
        #expect(signals.log.value == ["pause 127.0.0.1", "pause 127.0.0.1"])
    }

    @Test func aBatchRoutedToAFinishedSubscription_isDropped_andPausesNobody() {
        let hub = ChannelHub(catchAll: PayloadChannel(), highWatermark: 10)
        let signals = Signals()
        hub.onPressure { signals.record($0, $1) }
        let old = hub.subscribe(1)
        old.finish()
        old.yield([Delivery(peer: Self.a, bytes: Array(repeating: 0, count: 20), channel: 1)])
        #expect(signals.log.value.isEmpty)
        #expect(old.waitingBytes(of: Self.a) == 0)
    }

    @Test func unsubscribedChannels_goToTheCatchAll() async {
        let catchAll = PayloadChannel()
        let hub = ChannelHub(catchAll: catchAll, highWatermark: 100)
        let five = ChannelPayloads(subscription: hub.subscribe(5))
        hub.deliver([
            Delivery(peer: Self.a, bytes: [5], channel: 5), Delivery(peer: Self.a, bytes: [6], channel: 6),
        ])
        var iterator = five.makeAsyncIterator()
        #expect(await iterator.next()?.1 == [5])
        #expect(await catchAll.next()?.map(\.bytes) == [[6]])
    }

    @Test func subscribingAgain_endsThePreviousSubscription_andReleasesItsPauses() async {
        let hub = ChannelHub(catchAll: PayloadChannel(), highWatermark: 10)
        let signals = Signals()
        hub.onPressure { signals.record($0, $1) }
        let old = ChannelPayloads(subscription: hub.subscribe(1))
        hub.deliver([Delivery(peer: Self.a, bytes: Array(repeating: 0, count: 20), channel: 1)])
        _ = hub.subscribe(1)
        var iterator = old.makeAsyncIterator()
        #expect(await iterator.next()?.1.count == 20)
        #expect(await iterator.next() == nil)
        #expect(signals.log.value == ["pause 127.0.0.1", "resume 127.0.0.1"])
    }
}
