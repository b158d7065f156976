import Dispatch
import Glibc

/// SIGINT, SIGTERM and SIGHUP for synchronous code (a supervisor on its main thread): the
/// default actions are disabled while watched, and ``wait(upTo:)`` blocks until a signal has
/// arrived or the time is up, so the caller sleeps instead of polling a flag.
public final class SignalLatch: @unchecked Sendable {
    // @unchecked Sendable: `sources` is written once in init; the first signal is kept under
    // a lock; DispatchSemaphore and DispatchSource are thread-safe.
    private let semaphore = DispatchSemaphore(value: 0)
    private let first = LockedValue<Int32?>(nil)
    private let sources: [any DispatchSourceSignal]

    public init(_ numbers: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        let queue = DispatchQueue(label: "meshnode.signal-latch")
        let semaphore = semaphore
        let first = first
        sources = numbers.map { number in
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                first.withLock { if $0 == nil { $0 = number } }
                semaphore.signal()
            }
            source.resume()
            return source
        }
    }

    /// The first signal received, waiting up to `timeout` for one if none has come yet.
    public func wait(upTo timeout: Duration) -> Int32? {
        if let number = first.value { return number }
        let nanoseconds =
            max(0, timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        _ = semaphore.wait(timeout: .now() + .nanoseconds(Int(min(nanoseconds, Int64(Int32.max) * 1000))))
        return first.value
    }

    /// The first signal received so far, without waiting.
    public var received: Int32? { first.value }

    /// Stops watching and restores the default actions.
    public func cancel() {
        for source in sources {
            source.cancel()
            Glibc.signal(Int32(source.handle), SIG_DFL)
        }
    }
}
