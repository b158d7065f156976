import Synchronization

/// One TCP connection on a reactor: inbound frames as an `AsyncSequence` delivered a batch
/// per read cycle, and a buffered writer flushed once per loop pass.
///
/// The actor runs on its reactor's thread (`unownedExecutor`), so a task that prefers the
/// reactor calls it without a thread hop, and epoll callbacks reach its state through
/// `assumeIsolated`.
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
    let decoder: FrameDecoder

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        reactor.asUnownedSerialExecutor()
    }

    var fd: Int32
    var registration: RegistrationID?
    /// Deliver bytes as they arrive, without frame decoding (HTTP and other byte protocols).
    var rawMode = false
    /// Set once the connection is closed or failed; every later call throws it.
    var failure: ConnectionError?
    var nextWaiterID: UInt64 = 0

    // Read side.
    var readable = false
    /// The peer half-closed or the socket errored: keep reading until recv says so, because
    /// no further edge will announce it.
    var hangupSeen = false
    /// The application asked to stop reading (`pauseReading()`): bytes wait in the kernel.
    var readingPaused = false
    var endOfStream = false
    var inputError: ConnectionError?
    var partial: [UInt8] = []
    var readWaiter: Waiter<FrameBatch?>?
    /// The `deliverBatches` consumer, while one waits.
    var batchConsumer: BatchConsumer?

    // Write side.
    var outbound = OutboundQueue()
    var writable = true
    var flushScheduled = false
    var drainWaiters: [DrainWaiter] = []
    /// Half-close once the queue drains (`shutdownOutputAfterFlush`).
    var pendingOutputShutdown = false

    // Connect.
    var connecting: Bool
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
        self.connecting = connecting
    }

    deinit {
        liveConnections.subtract(1, ordering: .relaxed)
        // Reached only if the connection was never registered (a registered one is kept alive
        // by the reactor until it is closed), so nothing else can be using the descriptor.
        if fd >= 0 { Posix.close(fd) }
    }

    /// True once closed or failed.
    public var isClosed: Bool { failure != nil }

    /// Why the connection ended, once it has.
    public var closeReason: ConnectionError? { failure }

    /// Closes the socket now; waiters fail with ``ConnectionError/closed``. Unsent output is
    /// dropped: call ``flush()`` first to send it.
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

    /// Ends the connection with `error`: deregisters, closes the descriptor, fails waiters.
    func fail(_ error: ConnectionError) {
        guard failure == nil else { return }
        failure = error
        if let registration { reactor.deregister(registration) }
        registration = nil
        if fd >= 0 { Posix.close(fd) }
        fd = -1
        if let connectTimer { reactor.cancelTimer(connectTimer) }
        connectTimer = nil
        connectWaiter.take()?.continuation.resume(throwing: error)
        readWaiter.take()?.continuation.resume(throwing: error)
        endDelivery(throwing: error)
        let drains = drainWaiters
        drainWaiters.removeAll()
        for waiter in drains { waiter.continuation.resume(throwing: error) }
        outbound.removeAll()
        partial = []
    }

    func handle(_ mask: UInt32) {
        if connecting {
            finishConnect(mask)
            guard !connecting, failure == nil else { return }
        }
        if ReactorEvents.isWritable(mask) {
            writable = true
            if !outbound.isEmpty { flushNow() }
        }
        if ReactorEvents.isReadable(mask) {
            readable = true
            if ReactorEvents.isHangup(mask) { hangupSeen = true }
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
        assumeIsolated { $0.fail(.reactorStopped) }
    }

    public nonisolated func reactorFlush() {
        onLoop(()) { connection, _ in connection.flushNow() }
    }
}

/// Counts Connection objects; an atomic, so any thread may read it.
let liveConnections = Atomic<Int>(0)

/// A `deliverBatches` call: where batches go, and how its wait ends.
struct BatchConsumer {
    let handler: @Sendable (FrameBatch) throws -> Void
    let end: UnsafeContinuation<Void, any Error>
}

/// A suspended caller and the id its cancellation handler uses to find it.
struct Waiter<Value> {
    let id: UInt64
    let continuation: UnsafeContinuation<Value, any Error>
}

/// A writer waiting for the outbound buffer to drain to `threshold` bytes.
struct DrainWaiter {
    let id: UInt64
    let threshold: Int
    let continuation: UnsafeContinuation<Void, any Error>
}

extension Optional {
    /// Returns the value and leaves `nil` behind.
    mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}
