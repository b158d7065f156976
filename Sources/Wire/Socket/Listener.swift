/// A listening TCP socket; accepted sockets arrive as the ``connections`` sequence.
///
/// When the process runs out of descriptors (EMFILE/ENFILE) or memory, the listener reports
/// it once, pauses accepting with a backoff timer (never spinning on a readable listener),
/// and resumes by itself when descriptors free.
public actor Listener {
    /// What the listener tells its owner about accept failures.
    public enum Event: Sendable, Equatable {
        /// Accepting paused: out of descriptors or memory (reported once per episode).
        case exhausted(SyscallError)
        /// Accepting works again after `failures` failed attempts.
        case recovered(failures: Int)
        /// One connection could not be accepted (it is skipped).
        case failed(SyscallError)
    }

    public nonisolated let reactor: Reactor
    /// The bound address (with the real port when port 0 was asked for).
    public nonisolated let localAddress: SocketAddress
    /// Options given to every accepted connection.
    public nonisolated let connectionOptions: Connection.Options

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        reactor.asUnownedSerialExecutor()
    }

    var fd: Int32
    var registration: RegistrationID?
    var closed = false
    var readable = true
    var waiter: Waiter<Connection?>?
    var nextWaiterID: UInt64 = 0
    var pausedUntilRetry = false
    var exhaustionFailures = 0
    var backoffMilliseconds = 0
    var eventHandler: (@Sendable (Event) -> Void)?

    /// Connections accepted so far.
    public internal(set) var acceptedCount = 0

    /// Binds and listens on `address` (`SO_REUSEADDR`, non-blocking, close-on-exec).
    public init(
        bindingTo address: SocketAddress, backlog: Int32 = 1024, reactor: Reactor = .shared,
        connectionOptions: Connection.Options = Connection.Options()
    ) throws(ConnectionError) {
        let fd: Int32
        do {
            fd = try Posix.tcpSocket(family: address.family)
        } catch {
            throw .syscall(error)
        }
        do {
            try Posix.setReuseAddress(fd)
            try Posix.bind(fd, to: address)
            try Posix.listen(fd, backlog: backlog)
            self.localAddress = try Posix.localAddress(fd) ?? address
        } catch {
            Posix.close(fd)
            throw .syscall(error)
        }
        self.fd = fd
        self.reactor = reactor
        self.connectionOptions = connectionOptions
    }

    deinit {
        // Only reached if never registered (the reactor keeps a registered listener alive).
        if fd >= 0 { Posix.close(fd) }
    }

    /// Accepted connections, until the listener is closed.
    public nonisolated var connections: Connections { Connections(listener: self) }

    /// Receives accept failures and recoveries (for logging).
    public func setEventHandler(_ handler: @escaping @Sendable (Event) -> Void) {
        eventHandler = handler
    }

    /// Stops listening; a pending `accept()` returns `nil`.
    public func close() {
        guard !closed else { return }
        closed = true
        if let registration { reactor.deregister(registration) }
        registration = nil
        if fd >= 0 { Posix.close(fd) }
        fd = -1
        waiter.take()?.resume(returning: nil)
    }

    /// The accepted connections as an `AsyncSequence`.
    public struct Connections: AsyncSequence, Sendable {
        public typealias Element = Connection
        public typealias Failure = any Error
        let listener: Listener

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(listener: listener)
        }

        public struct AsyncIterator: AsyncIteratorProtocol {
            let listener: Listener

            public mutating func next() async throws -> Connection? {
                try await listener.accept()
            }

            public mutating func next(isolation actor: isolated (any Actor)?) async throws -> Connection? {
                try await listener.accept()
            }
        }
    }
}

extension Listener: LoopIsolated {}

extension Listener: ReactorSelectable {
    public nonisolated func reactorEvents(_ events: UInt32) {
        // Called on the loop thread, this actor's executor.
        onLoop(()) { listener, _ in listener.becameReadable() }
    }

    public nonisolated func reactorClosing() {
        onLoop(()) { listener, _ in listener.close() }
    }
}
