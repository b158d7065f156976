/// Application payloads as an `AsyncSequence` of `(PeerIP, bytes)`.
///
/// Underneath, each peer hands over the payloads of one read cycle at once (one stream
/// element per batch, not per payload): a stream yield costs about a microsecond, a batch
/// of payloads costs one.
public struct Payloads: AsyncSequence, Sendable {
    public typealias Element = (PeerIP, [UInt8])
    public typealias Failure = Never
    let batches: AsyncStream<[(PeerIP, [UInt8])]>

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(batches: batches.makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var batches: AsyncStream<[(PeerIP, [UInt8])]>.AsyncIterator
        var pending: [(PeerIP, [UInt8])] = []
        var index = 0

        public mutating func next() async -> (PeerIP, [UInt8])? {
            await next(isolation: #isolation)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> (PeerIP, [UInt8])? {
            while index >= pending.count {
                guard let batch = await batches.next(isolation: actor) else { return nil }
                pending = batch
                index = 0
            }
            defer { index += 1 }
            return pending[index]
        }
    }
}
