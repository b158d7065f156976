/// A scheduled timer, for cancelling it.
public struct TimerID: Hashable, Sendable {
    let rawValue: UInt64
}

extension Reactor {
    /// The real clock: CLOCK_MONOTONIC in nanoseconds (for measuring; timers use `now()`).
    public static func now() -> UInt64 { Posix.monotonicNanoseconds() }

    /// The time of this reactor's timers, nanoseconds: CLOCK_MONOTONIC, or the ``ManualClock``
    /// the reactor was made with. Deadlines passed to `scheduleTimer(at:)` are on this clock.
    @inline(__always)
    public func now() -> UInt64 {
        if let manualClock { return manualClock.now }
        return Posix.monotonicNanoseconds()
    }

    /// Calls `action(false)` at `deadline` (nanoseconds on `now()`), or
    /// `action(true)` if the reactor shuts down first. Loop thread only.
    @discardableResult
    public func scheduleTimer(at deadline: UInt64, _ action: @escaping (_ cancelled: Bool) -> Void) -> TimerID {
        assertInLoop()
        nextTimerID &+= 1
        let id = nextTimerID
        if ioShutDown {
            action(true)
            return TimerID(rawValue: id)
        }
        timerActions[id] = action
        timerHeap.insert(.init(deadline: deadline, id: id))
        return TimerID(rawValue: id)
    }

    /// Schedules `action` after `delay`. Loop thread only.
    @discardableResult
    public func scheduleTimer(after delay: Duration, _ action: @escaping (_ cancelled: Bool) -> Void) -> TimerID {
        scheduleTimer(at: now() &+ delay.nanoseconds, action)
    }

    /// Forgets a timer without calling it. Loop thread only.
    public func cancelTimer(_ id: TimerID) {
        assertInLoop()
        timerActions[id.rawValue] = nil
    }

    /// Suspends for `duration` on the reactor's deadline heap. Throws `CancellationError` if
    /// the task is cancelled and `SyscallError(ESHUTDOWN)` if the reactor shuts down.
    public func sleep(for duration: Duration) async throws {
        try await sleepers.sleep(until: now() &+ duration.nanoseconds)
    }

    /// How long the loop may sleep before the earliest timer is due (-1: no timer).
    func nanosecondsToNextTimer() -> Int64 {
        while let top = timerHeap.earliest, timerActions[top.id] == nil { _ = timerHeap.popEarliest() }
        guard let top = timerHeap.earliest else { return -1 }
        let time = now()
        guard top.deadline > time else { return 0 }
        // A manual clock moves only when a test advances it, which wakes the loop.
        guard manualClock == nil else { return -1 }
        return Int64(clamping: top.deadline - time)
    }

    /// Runs the timers due now. Timers scheduled by these actions wait for the next pass,
    /// even if already due: a timer that keeps rescheduling itself into the past must not
    /// keep the loop from I/O and queued work.
    func fireDueTimers() {
        guard let first = timerHeap.earliest else { return }
        let time = now()
        guard first.deadline <= time else { return }
        var due: [(_ cancelled: Bool) -> Void] = []
        while let top = timerHeap.earliest, top.deadline <= time {
            _ = timerHeap.popEarliest()
            if let action = timerActions.removeValue(forKey: top.id) { due.append(action) }
        }
        for action in due { action(false) }
    }

    func cancelAllTimers() {
        let pending = timerActions.sorted { $0.key < $1.key }
        timerActions.removeAll()
        timerHeap.removeAll()
        for (_, action) in pending { action(true) }
    }
}

extension Duration {
    /// The whole nanoseconds of this duration, clamped to 0 … UInt64.max.
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (product, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ UInt64(attoseconds / 1_000_000_000)
    }
}
