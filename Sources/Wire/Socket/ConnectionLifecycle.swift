/// The lifecycle of one ``Connection`` as a value: connecting → open → closed, the readiness
/// the socket last reported, and the work a batch delivery holds back.
///
/// Pure: the connection feeds it events and carries out the returned ``Action``s (system
/// calls, resuming waiters), so every transition can be checked without a socket.
struct ConnectionLifecycle {
    enum Stage: Equatable {
        /// A non-blocking connect is in progress.
        case connecting
        case open
        /// Closed or failed: every later call throws `failure`.
        case closed
    }

    /// What the connection must do now.
    enum Action: Equatable {
        /// Hand buffered output to the kernel.
        case flush
        /// Deregister, close the descriptor, fail every waiter with `failure`.
        case tearDown
    }

    private(set) var stage: Stage
    /// Why the connection ended, once it has.
    private(set) var failure: ConnectionError?

    // Read side.
    /// The socket may have bytes: an edge said so and no read has seen EAGAIN since.
    var readable = false
    /// The peer half-closed or the socket errored: keep reading until recv says so, because
    /// no further edge will announce it.
    var hangupSeen = false
    var endOfStream = false
    var inputError: ConnectionError?
    /// Reading stopped at a frame over the current limit: whether it is a violation depends
    /// on what the delivery of the frames before it does (the handshake may lift the limit).
    var heldAtFrameLimit = false

    // Write side.
    var writable = true
    var flushScheduled = false
    /// Half-close once the queue drains (`shutdownOutputAfterFlush`).
    var outputShutdownPending = false

    // Delivery. A batch handler runs on the loop inside the connection's own read path; a
    // flush or a close it asks for waits until it returns (see LoopIsolated.swift).
    private(set) var delivering = false
    private var flushDeferred = false
    private var tearDownDeferred = false

    init(connecting: Bool) {
        stage = connecting ? .connecting : .open
    }

    var isClosed: Bool { stage == .closed }

    /// The connect finished successfully.
    mutating func connected() {
        if stage == .connecting { stage = .open }
    }

    /// The connection ends with `error` (the first reason wins). The teardown waits while a
    /// batch is being delivered; later calls see the failure at once either way.
    mutating func fail(_ error: ConnectionError) -> Action? {
        guard stage != .closed else { return nil }
        stage = .closed
        failure = error
        if delivering {
            tearDownDeferred = true
            return nil
        }
        return .tearDown
    }

    /// Someone wants buffered output sent now.
    mutating func requestFlush() -> Action? {
        flushScheduled = false
        guard stage == .open else { return nil }
        if delivering {
            flushDeferred = true
            return nil
        }
        return .flush
    }

    /// True if a flush at the end of this loop pass must be scheduled.
    mutating func requestFlushAtEndOfPass() -> Bool {
        guard !flushScheduled && writable && stage == .open else { return false }
        flushScheduled = true
        return true
    }

    mutating func beginDelivery() {
        precondition(!delivering, "a batch delivery re-entered itself")
        delivering = true
    }

    /// The handler returned: what it asked for meanwhile, in order (a flush requested before
    /// a close still sends what was queued before the close).
    mutating func endDelivery() -> [Action] {
        delivering = false
        var actions: [Action] = []
        if flushDeferred {
            flushDeferred = false
            actions.append(.flush)
        }
        if tearDownDeferred {
            tearDownDeferred = false
            actions.append(.tearDown)
        }
        return actions
    }
}
