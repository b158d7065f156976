import Wire

/// One application payload and the peer it came from.
struct Delivery {
    let peer: PeerIP
    let bytes: [UInt8]
    var channel: UInt16 = 0
    /// The peer's receive budget, given back what the application takes.
    var ledger: ReceiveLedger? = nil
}

/// Carries payloads from the sessions to the embedding program: one element per read cycle
/// of one peer, unbounded, one consumer (like `AsyncStream`, which it replaces).
///
/// Why not `AsyncStream`: its code is generic and not specialized for our element type, so
/// every yield and every `next` looked up type metadata and destroyed batches through generic
/// witnesses (`perf`: ~15 % of a spoke's reactor thread in the broadcast benchmark). This is
/// the same contract in our module, fully specialized.
final class PayloadChannel: Sendable {
    private struct State {
        var batches: [[Delivery]] = []
        var head = 0
        var waiter: UnsafeContinuation<[Delivery]?, Never>?
        var finished = false

        mutating func take() -> [Delivery]? {
            guard head < batches.count else { return nil }
            let batch = batches[head]
            // Taken: release it now. A consumer that never quite catches up would otherwise keep
            // every batch it ever took alive (RSS grew by the whole flood under a receive budget).
            batches[head] = []
            head += 1
            if head == batches.count {  // drained: reuse the storage from the start
                batches.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= batches.count {
                batches.removeFirst(head)
                head = 0
            }
            return batch
        }
    }

    private let state = LockedValue(State())

    /// Hands a batch to the consumer (resumed on its own executor) or queues it. Ignored after
    /// `finish()`.
    func yield(_ batch: [Delivery]) {
        let waiter = state.withLock { state -> UnsafeContinuation<[Delivery]?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.batches.append(batch)
            return nil
        }
        waiter?.resume(returning: batch)
    }

    /// Ends the stream: the consumer gets what is queued, then `nil`.
    func finish() {
        let waiter = state.withLock { state -> UnsafeContinuation<[Delivery]?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next batch; `nil` once finished and drained, or when the waiting task is cancelled.
    func next() async -> [Delivery]? {
        if let batch = state.withLock({ $0.take() }) { return batch }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<[Delivery]?, Never>) in
                let now = state.withLock { state -> [Delivery]?? in
                    if let batch = state.take() { return .some(batch) }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    precondition(state.waiter == nil, "two tasks are iterating one node's payloads")
                    state.waiter = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> UnsafeContinuation<[Delivery]?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
