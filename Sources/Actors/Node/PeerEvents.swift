import Wire

/// Fans peer events out to every subscriber, each with its own bounded buffer.
///
/// Policy: a subscriber that falls behind keeps the newest `capacity` events; the older ones
/// are dropped and counted, and the subscriber's next element is `.dropped(count)` (the
/// dropped events all came before what is still buffered). Yielding never blocks the node.
final class PeerEventHub: Sendable {
    private struct Subscriber {
        let continuation: AsyncStream<PeerEvent>.Continuation
        let dropped: LockedValue<Int>
    }

    private struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 0
        var finished = false
    }

    /// Events kept per subscriber.
    let capacity: Int
    private let state = LockedValue(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// A new subscription; it sees events from now on.
    func subscribe() -> PeerEvents {
        let (stream, continuation) = AsyncStream<PeerEvent>.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        let dropped = LockedValue(0)
        let id = state.withLock { state -> UInt64? in
            guard !state.finished else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = Subscriber(continuation: continuation, dropped: dropped)
            return state.nextID
        }
        if let id {
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
            }
        } else {
            continuation.finish()
        }
        return PeerEvents(stream: stream, dropped: dropped)
    }

    func yield(_ event: PeerEvent) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            if case .dropped = subscriber.continuation.yield(event) {
                subscriber.dropped.withLock { $0 += 1 }
            }
        }
    }

    /// Ends every subscription (the node stopped); later subscriptions end at once.
    func finish() {
        let subscribers = state.withLock { state -> [Subscriber] in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.continuation.finish() }
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}

/// Peer events as an `AsyncSequence` (`Node.events()`): connected, disconnected, banned,
/// unbanned, and `.dropped(n)` when this subscriber fell behind by more than the buffer
/// (`Node.Configuration.eventBufferCapacity`, newest kept). Ends when the node stops.
public struct PeerEvents: AsyncSequence, Sendable {
    /// One event.
    public typealias Element = PeerEvent
    /// Iteration never throws.
    public typealias Failure = Never
    let stream: AsyncStream<PeerEvent>
    let dropped: LockedValue<Int>

    /// The iterator; use one at a time.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), dropped: dropped, pending: nil)
    }

    /// Takes the elements in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<PeerEvent>.AsyncIterator
        let dropped: LockedValue<Int>
        /// An event taken from the buffer while a loss had to be reported first.
        var pending: PeerEvent?

        /// The next element; nil once the stream has ended.
        public mutating func next() async -> PeerEvent? {
            if let event = pending.take() { return event }
            // Checked before and after waiting: a loss while we waited is reported first.
            if let loss = takeDropped() { return .dropped(loss) }
            guard let event = await base.next(isolation: #isolation) else { return nil }
            if let loss = takeDropped() {
                // The event is newer than the lost ones: say so first, keep the event for later.
                pending = event
                return .dropped(loss)
            }
            return event
        }

        private func takeDropped() -> Int? {
            let count = dropped.withLock { count -> Int in
                defer { count = 0 }
                return count
            }
            return count > 0 ? count : nil
        }
    }
}
