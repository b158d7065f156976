import Synchronization

/// One TCP connection on a reactor: inbound frames pushed to one consumer, a batch per read
/// cycle (`deliverBatches`), and a buffered writer flushed once per loop pass.
///
/// The actor runs on its reactor's thread (`unownedExecutor`), so a task that prefers the
/// reactor calls it without a thread hop, and epoll callbacks and timers enter it with
/// `onLoop`. Its lifecycle is a ``ConnectionLifecycle`` value; what may re-enter what is
/// written down next to `onLoop` (LoopIsolated.swift).
public actor Connection {
    /// Limits and buffer sizes of a connection.
    public struct Options: Sendable {
        /// The largest frame body accepted; a larger length prefix fails the connection.
        public var maximumFrameSize: Int
        /// Above this many buffered outbound bytes `waitUntilWritable()` suspends …
        public var highWatermark: Int
        /// … until the buffer drains to this many.
        public var lowWatermark: Int
        /// More buffered than this and the peer is failed as `slow_peer`.
        public var maximumBufferedBytes: Int
        /// Bytes read per read cycle before other connections get a turn.
        public var readBudget: Int

        public init(
            maximumFrameSize: Int = Frame.defaultMaximumSize, highWatermark: Int = 1 << 20,
            lowWatermark: Int = 256 << 10, maximumBufferedBytes: Int = 64 << 20, readBudget: Int = 64 << 10
        ) {
            self.maximumFrameSize = maximumFrameSize
            self.highWatermark = highWatermark
            self.lowWatermark = lowWatermark
            self.maximumBufferedBytes = maximumBufferedBytes
            self.readBudget = readBudget
        }
    }

    /// The reactor this connection lives on.
    public nonisolated let reactor: Reactor
    /// The other end.
    public nonisolated let remoteAddress: SocketAddress
    /// This end (for a dial, the chosen source IP and an ephemeral port).
    public nonisolated let localAddress: SocketAddress
    public nonisolated let options: Options

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        reactor.asUnownedSerialExecutor()
    }

    var fd: Int32
    var registration: RegistrationID?
    /// Stage, readiness, and the work a delivery holds back.
    ///
    /// Exclusivity unchecked: every access is on the loop thread (actor isolation), and no
    /// `ConnectionLifecycle` method calls out while it holds the value, so two accesses
    /// never overlap. Checked, every `send` paid one more `swift_beginAccess` (a mutating
    /// call on a class's stored property is a tracked access) than the loose flags did.
    @exclusivity(unchecked) var state: ConnectionLifecycle
    var nextWaiterID: UInt64 = 0

    // Read side.
    /// The application asked to stop reading (`pauseReading()`): bytes wait in the kernel.
    var readingPaused = false
    /// The frame length limit now: `options.maximumFrameSize`, or less while restricted.
    var decoder: FrameDecoder
    /// Bytes not yet cut into frames: the start of one frame, or (`rescanPartial`) bytes held
    /// back by a paused delivery or a frame over the limit, to be scanned again.
    var partial: [UInt8] = []
    var rescanPartial = false
    /// The consumer asked to go on in the next loop pass (`.continueLater`): until then no
    /// event serves it.
    var continuingNextPass = false
    /// The `deliverBatches` consumer, while one waits.
    var consumer: BatchConsumer?

    // Write side.
    var outbound = OutboundQueue()
    var drainWaiters: [DrainWaiter] = []

    // Connect.
    var connectWaiter: Waiter<Void>?
    var connectTimer: TimerID?

    /// Bytes and frames counted in each direction.
    public internal(set) var bytesIn = 0
    public internal(set) var bytesOut = 0
    public internal(set) var framesIn = 0
    public internal(set) var framesOut = 0

    /// Connection objects alive in this process (benchmarks check for leaks with it).
    public static var liveCount: Int { liveConnections.load(ordering: .relaxed) }

    init(
        fd: Int32, local: SocketAddress, remote: SocketAddress, reactor: Reactor, options: Options,
        connecting: Bool = false
    ) {
        liveConnections.add(1, ordering: .relaxed)
        self.fd = fd
        self.localAddress = local
        self.remoteAddress = remote
        self.reactor = reactor
        self.options = options
        self.decoder = FrameDecoder(maximumSize: options.maximumFrameSize)
        self.state = ConnectionLifecycle(connecting: connecting)
    }

    deinit {
        liveConnections.subtract(1, ordering: .relaxed)
        // Reached only if the connection was never registered (a registered one is kept alive
        // by the reactor until it is closed), so nothing else can be using the descriptor.
        if fd >= 0 { Posix.close(fd) }
    }

    /// True once closed or failed.
    public var isClosed: Bool { state.isClosed }

    /// Why the connection ended, once it has.
    public var closeReason: ConnectionError? { state.failure }

    var failure: ConnectionError? { state.failure }

    /// Closes the socket now; waiters fail with ``ConnectionError/closed``. Unsent output is
    /// dropped: call ``flush()`` first to send it. Called while a batch is being delivered,
    /// the close takes effect when the handler returns (later calls throw at once).
    public func close() {
        fail(.closed)
    }

    func makeWaiterID() -> UInt64 {
        nextWaiterID &+= 1
        return nextWaiterID
    }

    func ensureRegistered() throws(ConnectionError) {
        if let failure { throw failure }
        guard registration == nil else { return }
        do {
            registration = try reactor.register(fd, events: ReactorEvents.readWrite, handler: self)
        } catch {
            let reason: ConnectionError = error.errno == Posix.shutdownErrno ? .reactorStopped : .syscall(error)
            fail(reason)
            throw reason
        }
    }

    /// Ends the connection with `error`: deregisters, closes the descriptor, fails waiters
    /// (after the delivery in progress, if any).
    func fail(_ error: ConnectionError) {
        if let action = state.fail(error) { perform(action) }
    }

    /// Carries out what the lifecycle decided.
    func perform(_ action: ConnectionLifecycle.Action) {
        switch action {
        case .flush: writeOut()
        case .tearDown: tearDown()
        }
    }

    private func tearDown() {
        let error = state.failure ?? .closed
        if let registration { reactor.deregister(registration) }
        registration = nil
        if fd >= 0 { Posix.close(fd) }
        fd = -1
        if let connectTimer { reactor.cancelTimer(connectTimer) }
        connectTimer = nil
        connectWaiter.take()?.resume(throwing: error)
        consumer.take()?.end.resume(throwing: error)
        let drains = drainWaiters
        drainWaiters.removeAll()
        for drain in drains { drain.waiter.resume(throwing: error) }
        outbound.removeAll()
        partial = []
    }

    func handle(_ mask: UInt32) {
        if state.stage == .connecting {
            finishConnect(mask)
            guard state.stage == .open else { return }
        }
        if ReactorEvents.isWritable(mask) {
            state.writable = true
            if !outbound.isEmpty { flushNow() }
        }
        if ReactorEvents.isReadable(mask) {
            state.readable = true
            if ReactorEvents.isHangup(mask) { state.hangupSeen = true }
            serveReader()
        }
    }
}

extension Connection: ReactorSelectable, ReactorFlushable {
    public nonisolated func reactorEvents(_ events: UInt32) {
        // The reactor calls this on its loop thread, which is this actor's executor.
        onLoop(events) { connection, events in connection.handle(events) }
    }

    public nonisolated func reactorClosing() {
        onLoop(()) { connection, _ in connection.fail(.reactorStopped) }
    }

    public nonisolated func reactorFlush() {
        onLoop(()) { connection, _ in connection.flushNow() }
    }
}

/// Counts Connection objects; an atomic, so any thread may read it.
let liveConnections = Atomic<Int>(0)

/// A `deliverBatches` call: where batches go, and how its wait ends.
struct BatchConsumer {
    let id: UInt64
    let handler: @Sendable (FrameBatch) throws -> Connection.DeliveryStep
    let end: Waiter<Connection.DeliveryEnd>
}

/// A writer waiting for the outbound buffer to drain to `threshold` bytes.
struct DrainWaiter {
    let waiter: Waiter<Void>
    let threshold: Int
}

extension Optional {
    /// Returns the value and leaves `nil` behind.
    mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}
