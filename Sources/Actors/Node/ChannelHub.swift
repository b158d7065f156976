import Wire

/// Routes each payload to the subscription of its channel (`MeshNode.subscribe(channel:)`),
/// or to the catch-all `MeshNode.payloads` when nobody subscribed to it, and keeps, per
/// subscription and peer, the bytes handed over and not yet taken by the application.
///
/// Back-pressure: when a peer's bytes waiting in one subscription reach the high watermark,
/// `pressure(peer, true)` asks the node to stop reading that peer; when the application has
/// taken enough to be under the low watermark, `pressure(peer, false)` resumes it. What
/// arrived in the read cycle that crossed the mark is still delivered (at most one read
/// budget over).
final class ChannelHub: Sendable {
    /// The bytes a peer may have waiting in one subscription before its reading is paused.
    let highWatermark: Int
    /// Reading resumes once the waiting bytes are at most this.
    let lowWatermark: Int
    let catchAll: PayloadChannel
    private let subscriptions = LockedValue<[UInt16: ChannelSubscription]>([:])
    private let pressure: LockedValue<(@Sendable (PeerIP, Bool) -> Void)?> = LockedValue(nil)
    /// When set, payloads of unsubscribed channels are counted and dropped instead of going
    /// to the catch-all (an application that never reads it must not fill it).
    let dropsUnsubscribed = LockedValue(false)
    /// Payloads dropped for want of a subscription.
    let droppedUnsubscribed = LockedValue(0)

    init(catchAll: PayloadChannel, highWatermark: Int) {
        self.catchAll = catchAll
        self.highWatermark = max(1, highWatermark)
        self.lowWatermark = max(0, highWatermark / 2)
    }

    /// Installs what the hub calls when a peer must pause (`true`) or may resume (`false`).
    func onPressure(_ handler: @escaping @Sendable (PeerIP, Bool) -> Void) {
        pressure.withLock { $0 = handler }
    }

    /// A new subscription to `channel`; one that existed before ends (its consumer gets nil).
    func subscribe(_ channel: UInt16) -> ChannelSubscription {
        let subscription = ChannelSubscription(
            highWatermark: highWatermark, lowWatermark: lowWatermark,
            signal: { [weak self] peer, paused in self?.signal(peer, paused: paused) })
        let previous = subscriptions.withLock { $0.updateValue(subscription, forKey: channel) }
        previous?.finish()
        return subscription
    }

    /// The subscription of `channel` now, if any (tests).
    func subscriptionForTests(_ channel: UInt16) -> ChannelSubscription? {
        subscriptions.withLock { $0[channel] }
    }

    /// Hands over the payloads of one read cycle of one peer.
    /// `chargeCatchAll` is told, before anything is yielded, the bytes that go on to the
    /// catch-all stream (what the peer's receive budget is charged), from the same look at
    /// the subscriptions that routes them.
    func deliver(_ deliveries: [Delivery], chargeCatchAll: (Int) -> Void = { _ in }) {
        let routes = subscriptions.withLock { $0 }
        let drops = dropsUnsubscribed.value
        guard !routes.isEmpty || drops else {
            chargeCatchAll(deliveries.reduce(0) { $0.addingSaturating($1.bytes.count) })
            catchAll.yield(deliveries)
            return
        }
        var unrouted: [Delivery] = []
        var routed: [UInt16: [Delivery]] = [:]
        for delivery in deliveries {
            if routes[delivery.channel] != nil {
                // A subscription bounds the peer itself: the receive budget is not its to give back.
                routed[delivery.channel, default: []].append(
                    Delivery(peer: delivery.peer, bytes: delivery.bytes, channel: delivery.channel))
            } else {
                unrouted.append(delivery)
            }
        }
        if !unrouted.isEmpty {
            if drops {
                droppedUnsubscribed.withLock { $0 += unrouted.count }
            } else {
                chargeCatchAll(unrouted.reduce(0) { $0.addingSaturating($1.bytes.count) })
                catchAll.yield(unrouted)
            }
        }
        for (channel, batch) in routed { routes[channel]?.yield(batch) }
    }

    /// Ends every subscription and the catch-all.
    func finish() {
        let all = subscriptions.withLock { state -> [ChannelSubscription] in
            defer { state = [:] }
            return Array(state.values)
        }
        for subscription in all { subscription.finish() }
        catchAll.finish()
    }

    func signal(_ peer: PeerIP, paused: Bool) {
        pressure.withLock { $0 }?(peer, paused)
    }
}

/// One channel's payloads with the bytes waiting per peer (see ``ChannelHub``).
final class ChannelSubscription: Sendable {
    private struct Accounts {
        var waiting: [PeerIP: Int] = [:]
        var paused: Set<PeerIP> = []
        /// Set by `finish()`: a batch routed here after it is dropped, not counted.
        var finished = false
    }

    let channel = PayloadChannel()
    let highWatermark: Int
    let lowWatermark: Int
    private let signal: @Sendable (PeerIP, Bool) -> Void
    private let accounts = LockedValue(Accounts())

    init(highWatermark: Int, lowWatermark: Int, signal: @escaping @Sendable (PeerIP, Bool) -> Void) {
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
        self.signal = signal
    }

    func yield(_ batch: [Delivery]) {
        // Every batch that leaves a peer over the mark asks again, not only the first: the
        // peer may have reconnected since, and the new connection must be held back too
        // (pausing is idempotent).
        var pause: Set<PeerIP> = []
        let accepted = accounts.withLock { accounts -> Bool in
            guard !accounts.finished else { return false }
            for delivery in batch {
                let waiting = accounts.waiting[delivery.peer, default: 0] &+ delivery.bytes.count
                accounts.waiting[delivery.peer] = waiting
                if waiting >= highWatermark {
                    accounts.paused.insert(delivery.peer)
                    pause.insert(delivery.peer)
                }
            }
            return true
        }
        guard accepted else { return }
        channel.yield(batch)
        for peer in pause { signal(peer, true) }
    }

    /// The application took one payload.
    func taken(_ delivery: Delivery) {
        let resume = accounts.withLock { accounts -> Bool in
            let waiting = max(0, accounts.waiting[delivery.peer, default: 0] - delivery.bytes.count)
            accounts.waiting[delivery.peer] = waiting == 0 ? nil : waiting
            guard waiting <= lowWatermark, accounts.paused.contains(delivery.peer) else { return false }
            accounts.paused.remove(delivery.peer)
            return true
        }
        if resume { signal(delivery.peer, false) }
    }

    /// Bytes of `peer` handed over and not yet taken.
    func waitingBytes(of peer: PeerIP) -> Int { accounts.withLock { $0.waiting[peer] ?? 0 } }

    /// Peers paused by this subscription now.
    var pausedPeers: Set<PeerIP> { accounts.withLock { $0.paused } }

    func finish() {
        channel.finish()
        let paused = accounts.withLock { accounts -> Set<PeerIP> in
            defer { accounts = Accounts(finished: true) }
            return accounts.paused
        }
        for peer in paused { signal(peer, false) }
    }
}

/// The payloads of one channel as an `AsyncSequence` of `(PeerIP, bytes)`
/// (`Node.subscribe(channel:)`), in arrival order per peer. Iterate from one task at a
/// time. Each peer may have at most `Node.Configuration.channelBufferBytes` waiting here;
/// over that the node asks to stop reading it until this consumer catches up (see
/// docs/architecture.md, "The node as a library"). Ends when the node stops or the channel is
/// subscribed again.
public struct ChannelPayloads: AsyncSequence, Sendable {
    /// One payload and the peer it came from.
    public typealias Element = (PeerIP, [UInt8])
    /// Iteration never throws.
    public typealias Failure = Never
    let subscription: ChannelSubscription

    /// The iterator; use one at a time.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(subscription: subscription)
    }

    /// Takes the elements in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: ChannelSubscription
        var pending: [Delivery] = []
        var index = 0

        /// The next element; nil once the stream has ended.
        public mutating func next() async -> (PeerIP, [UInt8])? {
            while index >= pending.count {
                guard let batch = await subscription.channel.next() else { return nil }
                pending = batch
                index = 0
            }
            defer { index += 1 }
            let delivery = pending[index]
            subscription.taken(delivery)
            return (delivery.peer, delivery.bytes)
        }

        /// Stays on the caller's actor (the library's default of this requirement would not).
        public mutating func next(isolation actor: isolated (any Actor)?) async -> (PeerIP, [UInt8])? {
            await next()
        }
    }
}
