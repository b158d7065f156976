/// The tasks in `Reactor.sleep`: a loop actor, so a sleeper waits the one way every loop
/// actor waits (`suspend`), its timer and waiter found again by id.
actor Sleepers: LoopIsolated {
    // Unowned: the reactor owns this actor and outlives every task that sleeps on it.
    nonisolated unowned let reactor: Reactor
    private var nextID: UInt64 = 0
    private var waiters: [UInt64: Waiter<Void>] = [:]
    private var timers: [UInt64: TimerID] = [:]

    nonisolated var unownedExecutor: UnownedSerialExecutor { reactor.asUnownedSerialExecutor() }

    init(reactor: Reactor) {
        self.reactor = reactor
    }

    func sleep(until deadline: UInt64) async throws {
        nextID &+= 1
        try await suspend(id: nextID) { sleepers, waiter in
            sleepers.waiters[waiter.id] = waiter
            // Stored first: on a reactor that has shut down the timer fires (cancelled) at once.
            let timer = sleepers.reactor.scheduleTimer(at: deadline) { shutdown in
                // Timers fire on the loop thread, this actor's executor.
                self.onLoop((waiter.id, shutdown)) { sleepers, fired in sleepers.wake(fired.0, shutdown: fired.1) }
            }
            if sleepers.waiters[waiter.id] != nil { sleepers.timers[waiter.id] = timer }
        } cancel: { sleepers, id in
            guard let waiter = sleepers.waiters.removeValue(forKey: id) else { return }
            if let timer = sleepers.timers.removeValue(forKey: id) { sleepers.reactor.cancelTimer(timer) }
            waiter.resume(throwing: CancellationError())
        }
    }

    private func wake(_ id: UInt64, shutdown: Bool) {
        timers[id] = nil
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        if shutdown {
            waiter.resume(throwing: SyscallError("sleep", errno: Posix.shutdownErrno))
        } else {
            waiter.resume()
        }
    }
}
