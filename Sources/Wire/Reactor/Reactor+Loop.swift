extension Reactor {
    /// Passes of queued work per loop iteration before I/O gets a turn again.
    private static let workRoundsPerPass = 16

    /// The loop thread's body.
    func runLoop() {
        CurrentReactor.set(Unmanaged.passUnretained(self).toOpaque())
        defer { CurrentReactor.set(nil) }
        let events = Epoll.EventBuffer(capacity: 512)
        // Where the pass that is running began: when epoll_wait handed back its first event,
        // or (no event) when it returned. Two clock reads a pass, plus one per wake with events.
        var passStart = Posix.monotonicNanoseconds()
        // `executeNextPass` work of the pass that just ended: it runs after the next epoll
        // round, so a connection continued from its own event does one slice per pass.
        var carried: [Work] = []
        while true {
            runQueuedWork()
            flushPending()
            let flags = inbox.withLock { ($0.shutdownRequested, $0.exitRequested, $0.work.isEmpty) }
            if flags.0 && !ioShutDown {
                tearDownIO()
                continue
            }
            if flags.1 && flags.2 && localWork.isEmpty && nextPassWork.isEmpty {
                inbox.withLock { $0.exited = true }
                return
            }
            swap(&carried, &nextPassWork)
            var timeout = localWork.isEmpty && flushQueue.isEmpty && carried.isEmpty ? nanosecondsToNextTimer() : 0
            if timeout != 0 {
                let maySleep = inbox.withLock { inbox -> Bool in
                    guard inbox.work.isEmpty && !inbox.exitRequested && !inbox.shutdownRequested else { return false }
                    inbox.sleeping = true
                    return true
                }
                if !maySleep { timeout = 0 }
            }
            let passEnd = Posix.monotonicNanoseconds()
            passStatsStore.withLock { $0.record(passEnd &- min(passStart, passEnd)) }
            var dispatchStart: UInt64 = 0
            epoll.wait(into: events, timeoutNanoseconds: timeout) { token, mask in
                if dispatchStart == 0 { dispatchStart = Posix.monotonicNanoseconds() }
                dispatch(token: token, events: mask)
            }
            if timeout != 0 { inbox.withLock { $0.sleeping = false } }
            passStart = dispatchStart != 0 ? dispatchStart : Posix.monotonicNanoseconds()
            fireDueTimers()
            if !carried.isEmpty {
                localWork.append(contentsOf: carried)
                carried.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Runs local and inbox work until both are empty or the round budget is spent.
    private func runQueuedWork() {
        let executor = asUnownedSerialExecutor()
        let taskExecutor = asUnownedTaskExecutor()
        for _ in 0..<Self.workRoundsPerPass {
            let remote = inbox.withLock { inbox -> [Work] in
                guard !inbox.work.isEmpty else { return [] }
                let taken = inbox.work
                inbox.work.removeAll(keepingCapacity: true)
                return taken
            }
            if !remote.isEmpty { localWork.append(contentsOf: remote) }
            if localWork.isEmpty { return }
            swap(&localWork, &runningWork)
            for work in runningWork {
                switch work {
                case .job(let job): job.runSynchronously(isolatedTo: executor, taskExecutor: taskExecutor)
                case .closure(let body): body()
                }
            }
            runningWork.removeAll(keepingCapacity: true)
        }
    }

    private func dispatch(token: UInt64, events: UInt32) {
        if token == Epoll.wakeToken {
            epoll.drainWakeups()
            return
        }
        let id = RegistrationID(token: token)
        let index = Int(id.fd)
        guard index < registrations.count, let registration = registrations[index],
            registration.id.generation == id.generation
        else { return }  // a stale event for a closed and reused descriptor
        registration.handler.reactorEvents(events)
    }

    /// Closes every registration and cancels every timer: the first half of shutdown.
    private func tearDownIO() {
        ioShutDown = true
        for registration in registrations {
            registration?.handler.reactorClosing()
        }
        for index in registrations.indices where registrations[index] != nil {
            epoll.remove(Int32(index))
            registrations[index] = nil
        }
        cancelAllTimers()
        flushQueue.removeAll()
    }
}
