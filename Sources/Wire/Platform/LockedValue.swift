import Glibc

/// A value guarded by a pthread mutex.
///
/// Used instead of `Synchronization.Mutex` because that one hands a contended lock over
/// through a priority-inheritance futex inside the kernel, an edge ThreadSanitizer cannot
/// see: every contended handoff was reported as a race. pthread mutexes are intercepted by
/// the sanitizer, so `swift test --sanitize=thread` reports only real races.
public final class LockedValue<Value>: @unchecked Sendable {
    // @unchecked Sendable: `storage` is only touched inside `withLock`, under `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var storage: Value

    public init(_ value: Value) {
        self.storage = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// A copy of the value.
    public var value: Value { withLock { $0 } }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&storage)
    }
}
