import Wire

/// One peer's ``ReceiveBudget``, shared by its session (which charges what it queues toward
/// the application, on the loop thread) and the application (which releases what it takes,
/// on its own thread), and the one place a paused session waits for room.
final class ReceiveLedger: Sendable {
    private struct State {
        var budget: ReceiveBudget
        var waiter: UnsafeContinuation<Void, Never>?
        /// Set when the session ends: a wait returns at once, and no more waiting starts.
        var interrupted = false
    }

    private let state: LockedValue<State>

    init(limit: Int) {
        state = LockedValue(State(budget: ReceiveBudget(limit: limit)))
    }

    /// Bytes queued toward the application and not yet taken.
    var queued: Int { state.withLock { $0.budget.queued } }

    /// Counts `bytes` handed to the application's channel; true if the session must stop
    /// reading until ``waitForRoom()`` returns.
    func charge(_ bytes: Int) -> Bool {
        state.withLock { $0.budget.charge(bytes) }
    }

    /// Counts `bytes` the application took; wakes a paused session at the low watermark.
    func release(_ bytes: Int) {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            guard state.budget.release(bytes) else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Ends any wait, now and later (the session is over, or the node stops).
    func interrupt() {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            state.interrupted = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once the budget is no longer paused, the ledger is interrupted, or the task
    /// is cancelled.
    func waitForRoom() async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.budget.paused || state.interrupted || Task.isCancelled { return true }
                    precondition(state.waiter == nil, "two tasks wait on one peer's receive budget")
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
