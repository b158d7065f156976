/// Application payloads as an `AsyncSequence` of `(PeerIP, bytes)`.
///
/// Underneath, each peer hands over the payloads of one read cycle at once (one element of
/// the channel per batch, not per payload): a hand-over resumes the consumer, a batch of
/// payloads costs one. Iterate from one task at a time.
public struct Payloads: AsyncSequence, Sendable {
    public typealias Element = (PeerIP, [UInt8])
    public typealias Failure = Never
    let channel: PayloadChannel

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: channel)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: PayloadChannel
        var pending: [Delivery] = []
        var index = 0

        public mutating func next() async -> (PeerIP, [UInt8])? {
            while index >= pending.count {
                guard let batch = await channel.next() else { return nil }
                Delivery.release(batch)
                pending = batch
                index = 0
            }
            defer { index += 1 }
            return (pending[index].peer, pending[index].bytes)
        }

        /// Stays on the caller's actor (the library's default of this requirement would not).
        public mutating func next(isolation actor: isolated (any Actor)?) async -> (PeerIP, [UInt8])? {
            await next()
        }
    }
}
