import Synchronization

/// A clock that moves only when told: a reactor built with one (`Reactor(name:clock:)`) reads
/// its timers' `now` from it, so a test advances time instead of sleeping through it.
///
/// Handshake deadlines, lingers, pings, connect timeouts and `Reactor.sleep` all run on the
/// reactor's timers, so all of them follow it. Only the timers do: sockets, and anything that
/// reads the real clock itself (`Reactor.now()`), still run in real time.
package final class ManualClock: Sendable {
    private let nanoseconds: Atomic<UInt64>

    /// Starts at `start` nanoseconds (far from 0, so deadlines computed backwards stay positive).
    package init(start: UInt64 = 1 << 40) {
        nanoseconds = Atomic(start)
    }

    /// The time now, nanoseconds.
    package var now: UInt64 { nanoseconds.load(ordering: .acquiring) }

    func advance(by delta: UInt64) {
        nanoseconds.add(delta, ordering: .releasing)
    }
}

extension Reactor {
    /// A reactor whose timers read `clock` instead of CLOCK_MONOTONIC (tests).
    package convenience init(name: String = "meshnode-reactor", clock: ManualClock) throws(SyscallError) {
        try self.init(name: name, scratchBytes: 64 * 1024, manualClock: clock)
    }

    /// `withReactor` on a manual clock.
    package static func withReactor<Result>(
        name: String = "meshnode-reactor", clock: ManualClock, _ body: (Reactor) async throws -> Result
    ) async throws -> Result {
        try await withReactor(try Reactor(name: name, clock: clock), body)
    }

    /// Moves the manual clock forward by `duration`, then, on the loop, fires every timer now
    /// due; returns once they have run (the tasks they resume run after, on the loop).
    /// Only for a reactor made with a ``ManualClock``.
    package func advanceClock(by duration: Duration) async {
        guard let manualClock else { preconditionFailure("advanceClock(by:) needs a reactor on a ManualClock") }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            execute { [self] in
                manualClock.advance(by: duration.nanoseconds)
                fireDueTimers()
                continuation.resume()
            }
        }
    }
}
