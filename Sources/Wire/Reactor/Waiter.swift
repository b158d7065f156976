/// A suspended caller of a loop-isolated actor, and the id its cancellation handler uses to
/// find it (a later waiter in the same slot must not be cancelled by an earlier one's task).
package struct Waiter<Value: Sendable> {
    package let id: UInt64
    package let continuation: UnsafeContinuation<Value, any Error>

    package func resume(returning value: Value) { continuation.resume(returning: value) }
    package func resume(throwing error: any Error) { continuation.resume(throwing: error) }
}

extension Waiter where Value == Void {
    package func resume() { continuation.resume() }
}

extension LoopIsolated {
    /// Suspends the caller until whoever holds its ``Waiter`` resumes it: the one way actors
    /// on a reactor wait (accept, connect, drain, deliver).
    ///
    /// `park` runs at once, isolated, and stores the waiter (it may also resume it at once),
    /// unless the task is already cancelled (then this throws `CancellationError` and `park`
    /// never runs). If the task is cancelled while suspended, `cancel` runs on the loop with the
    /// waiter's id: it resumes that waiter (if it is still the one stored) with the error it
    /// chooses. The hop through `reactor.execute` is needed because a cancellation handler
    /// runs on the cancelling thread, not on the loop.
    package func suspend<Value: Sendable>(
        id: UInt64,
        park: (isolated Self, Waiter<Value>) -> Void,
        cancel: @escaping @Sendable (isolated Self, UInt64) -> Void
    ) async throws -> Value {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Value, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    park(self, Waiter(id: id, continuation: continuation))
                }
            }
        } onCancel: {
            reactor.execute { self.onLoop(id, cancel) }
        }
    }
}
