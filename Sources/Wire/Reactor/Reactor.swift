/// One OS thread running epoll: the executor that peer-facing actors are pinned to.
///
/// It is a `SerialExecutor` (actors use it as their `unownedExecutor`) and a `TaskExecutor`
/// (tasks prefer it), so an actor call on the hot path is a same-thread switch rather than a
/// hop across threads (REACTOR-NOTES.md). Each loop pass runs queued jobs, flushes the
/// connections that wrote during the pass, waits in `epoll_wait` until the next timer
/// deadline, dispatches readiness, and fires due timers. Other threads hand work over through
/// a lock-guarded inbox and wake the loop with an eventfd only when it is asleep.
public final class Reactor: @unchecked Sendable {
    // @unchecked Sendable: the `var`s below are confined to the loop thread (every entry point
    // that touches them asserts `isInLoop`), but `sleepers`, written once in `init` before the
    // loop thread exists and only read after; other threads use only `inbox` (a LockedValue),
    // the eventfd (`epoll.wake()`), `sleepers` and the immutable `let`s.

    /// The name of the loop thread.
    public let name: String
    let epoll: Epoll
    let inbox = LockedValue(Inbox())
    private var thread: OSThread?

    var localWork: [Work] = []
    /// Work for the next loop pass, after epoll has had its turn (``executeNextPass(_:)``).
    var nextPassWork: [Work] = []
    var runningWork: [Work] = []
    var registrations: [Registration?] = []
    var generationCounter: UInt32 = 0
    var timerHeap = DeadlineHeap()
    var timerActions: [UInt64: (_ cancelled: Bool) -> Void] = [:]
    var nextTimerID: UInt64 = 0
    var flushQueue: [any ReactorFlushable] = []
    var ioShutDown = false
    /// Pass durations; written by the loop once a pass, read by anyone (ReactorPassStats.swift).
    let passStatsStore = LockedValue(ReactorPassStats())
    /// Where the timers read the time in tests; nil: CLOCK_MONOTONIC.
    let manualClock: ManualClock?
    /// The tasks in `sleep(for:)`. Set once in `init`, before the loop thread starts.
    private(set) var sleepers: Sleepers!
    /// A read buffer shared by every connection of this loop: a connection keeps only the
    /// bytes of a partial frame, so an idle connection costs almost nothing.
    let scratch: UnsafeMutableRawBufferPointer

    /// A unit of work for the loop: an executor job or a closure.
    enum Work: Sendable {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    /// What other threads share with the loop, guarded by `inbox`.
    struct Inbox {
        var work: [Work] = []
        var sleeping = false
        var shutdownRequested = false
        var exitRequested = false
        var exited = false
    }

    /// Starts a reactor on a new thread.
    public convenience init(name: String = "meshnode-reactor", scratchBytes: Int = 64 * 1024) throws(SyscallError) {
        try self.init(name: name, scratchBytes: scratchBytes, manualClock: nil)
    }

    init(name: String, scratchBytes: Int, manualClock: ManualClock?) throws(SyscallError) {
        self.name = name
        self.manualClock = manualClock
        self.epoll = try Epoll()
        self.scratch = .allocate(byteCount: scratchBytes, alignment: 16)
        self.sleepers = Sleepers(reactor: self)
        let thread = try OSThread.spawn(name: name) { [self] in runLoop() }
        inbox.withLock { _ in self.thread = thread }
    }

    deinit {
        scratch.deallocate()
    }

    /// A process-wide reactor, started on first use and never stopped.
    public static let shared: Reactor = {
        do { return try Reactor(name: "meshnode-reactor") } catch {
            fatalError("cannot start the reactor: \(error)")
        }
    }()

    /// Runs `body` with a new reactor, then shuts it down and joins its thread. Every task that
    /// prefers the reactor must end inside `body` (structured concurrency makes that so).
    public static func withReactor<Result>(
        name: String = "meshnode-reactor", _ body: (Reactor) async throws -> Result
    ) async throws -> Result {
        try await withReactor(try Reactor(name: name), body)
    }

    static func withReactor<Result>(_ reactor: Reactor, _ body: (Reactor) async throws -> Result) async throws
        -> Result
    {
        do {
            let result = try await body(reactor)
            reactor.shutdown()
            reactor.stopAndJoin()
            return result
        } catch {
            reactor.shutdown()
            reactor.stopAndJoin()
            throw error
        }
    }

    /// True on the loop thread.
    @inline(__always)
    public var isInLoop: Bool {
        CurrentReactor.get() == Unmanaged.passUnretained(self).toOpaque()
    }

    @inline(__always)
    func assertInLoop(_ function: StaticString = #function) {
        precondition(isInLoop, "\(function) must run on the reactor thread")
    }

    /// Runs `body` on the loop thread, soon. Safe from any thread.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        submit(.closure(body))
    }

    /// Runs `body` on the loop in the next pass, not in this one: for work that continues a
    /// large job (a connection still readable after its read budget), so one pass does one
    /// slice of it per connection and no peer's flood makes a pass long (issue #12: 16 Ping
    /// floods re-queued 16 reads each per pass; passes took 300 ms). It runs after the next
    /// epoll round, also when asked from an epoll callback (it used to run in the same pass
    /// then: two slices of one connection in one pass). Loop thread only.
    func executeNextPass(_ body: @escaping @Sendable () -> Void) {
        precondition(isInLoop, "executeNextPass off the loop thread")
        nextPassWork.append(.closure(body))
    }

    /// Suspends the calling task until the loop's next pass (after its next epoll round): a
    /// task that starts many jobs gives each batch a pass of its own, and the peers' I/O a
    /// turn between them. Safe from any thread.
    public func nextPass() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            execute { [self] in executeNextPass { continuation.resume() } }
        }
    }

    func submit(_ work: Work) {
        if isInLoop {
            localWork.append(work)
            return
        }
        let wake = inbox.withLock { inbox -> Bool in
            precondition(!inbox.exited, "work submitted to reactor '\(name)' after it stopped: a task outlived it")
            inbox.work.append(work)
            guard inbox.sleeping else { return false }
            inbox.sleeping = false
            return true
        }
        if wake { epoll.wake() }
    }

    /// Closes every registered socket (their waiters fail with `shutdown`) and cancels every
    /// timer. The loop keeps running jobs so the tasks it wakes can finish. Safe from any thread.
    public func shutdown() {
        let wake = inbox.withLock { inbox -> Bool in
            inbox.shutdownRequested = true
            guard inbox.sleeping else { return false }
            inbox.sleeping = false
            return true
        }
        if wake { epoll.wake() }
    }

    /// Ends the loop once its queue is empty, joins the thread and closes epoll.
    /// Must not be called on the loop thread.
    func stopAndJoin() {
        precondition(!isInLoop, "stopAndJoin() would wait for itself")
        let thread = inbox.withLock { inbox -> OSThread? in
            inbox.exitRequested = true
            inbox.sleeping = false
            return self.thread
        }
        epoll.wake()
        thread?.join()
        epoll.close()
    }
}

extension Reactor: SerialExecutor, TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    public func checkIsolated() {
        precondition(isInLoop, "not on the thread of reactor '\(name)'")
    }

    public func isIsolatingCurrentContext() -> Bool? {
        isInLoop
    }
}
