import Synchronization

/// One TCP connection as a plain byte stream, for byte protocols such as the debug
/// endpoint's HTTP: no frames, no batches, one reader and one writer at a time.
///
/// It stands beside `Connection` rather than inside it: a frame connection's reads are cut
/// into whole frames (FrameBatch's invariant), which a byte protocol must not be subjected
/// to. It is built only on the reactor's registration and timer API. A deadline (a reactor
/// timer, not a polling task) closes the stream when it passes, failing any waiter with
/// ``Failure/timedOut``.
public actor ByteStream: LoopIsolated {
    /// Why a stream operation failed.
    public enum Failure: Error, Sendable, Equatable {
        /// ``close()`` was called.
        case closed
        /// The deadline set with ``setDeadline(at:)`` passed.
        case timedOut
        /// The reactor shut down.
        case reactorStopped
        /// A system call failed (a reset, for instance).
        case syscall(SyscallError)
    }

    /// Bytes read per ``receive()`` before other sockets get a turn.
    public static let readBudget = 64 << 10

    public nonisolated let reactor: Reactor
    public nonisolated let remoteAddress: SocketAddress
    public nonisolated let localAddress: SocketAddress

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        reactor.asUnownedSerialExecutor()
    }

    var fd: Int32
    var registration: RegistrationID?
    var failure: Failure?
    var nextWaiterID: UInt64 = 0
    /// Edge-triggered: true until a read says EAGAIN (the next edge sets it again).
    var readable = true
    var endOfStream = false
    var reader: StreamWaiter<[UInt8]?>?
    var output: [UInt8] = []
    var outputSent = 0
    var writable = true
    var writer: StreamWaiter<Void>?
    var deadline: TimerID?
    /// A dial in progress: the first writable event says how it ended (`SO_ERROR`).
    var connecting = false

    /// ByteStream objects alive in this process (tests check for leaks with it).
    public static var liveCount: Int { liveByteStreams.load(ordering: .relaxed) }

    init(fd: Int32, local: SocketAddress, remote: SocketAddress, reactor: Reactor) {
        liveByteStreams.add(1, ordering: .relaxed)
        self.fd = fd
        self.localAddress = local
        self.remoteAddress = remote
        self.reactor = reactor
    }

    deinit {
        liveByteStreams.subtract(1, ordering: .relaxed)
        // Reached only if never registered (the reactor keeps a registered stream alive until
        // it is closed), so nobody else can be using the descriptor.
        if fd >= 0 { Posix.close(fd) }
    }

    /// Dials `remote` (binding first to `source`, the IP the other side sees, when given)
    /// and waits at most `timeout` for the TCP handshake: a client for byte protocols (the
    /// `meshnode` CLI's requests to the debug endpoint, tests).
    public static func connect(
        to remote: SocketAddress, from source: IPAddress? = nil, timeout: Duration, reactor: Reactor = .shared
    ) async throws(Failure) -> ByteStream {
        let fd: Int32
        let local: SocketAddress
        var inProgress = false
        do {
            fd = try Posix.tcpSocket(family: remote.family)
        } catch {
            throw .syscall(error)
        }
        do {
            try Posix.setNoDelay(fd)
            if let source { try Posix.bind(fd, to: SocketAddress(ip: source, port: 0)) }
            if case .wouldBlock = try Posix.connect(fd, to: remote) { inProgress = true }
            local = try Posix.localAddress(fd) ?? SocketAddress(ip: .v4(0), port: 0)
        } catch {
            Posix.close(fd)
            throw .syscall(error)
        }
        let stream = ByteStream(fd: fd, local: local, remote: remote, reactor: reactor)
        try await stream.finishConnecting(inProgress: inProgress, deadline: reactor.now() &+ timeout.nanoseconds)
        return stream
    }

    private func finishConnecting(inProgress: Bool, deadline: UInt64) async throws(Failure) {
        connecting = inProgress
        writable = !inProgress
        setDeadline(at: deadline)
        try await write([])  // returns once connected: the first writable event
        setDeadline(at: nil)
    }

    /// True once closed, failed or timed out.
    public var isClosed: Bool { failure != nil }

    /// The next bytes received (at most ``readBudget``), or `nil` once the peer has closed
    /// its side.
    public func receive() async throws(Failure) -> [UInt8]? {
        try ensureRegistered()
        if let ready = try readNow() { return ready }
        let id = makeWaiterID()
        let result = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<[UInt8]?, Failure>, Never>) in
                if let failure {
                    continuation.resume(returning: .failure(failure))
                } else if Task.isCancelled {
                    continuation.resume(returning: .failure(.closed))
                } else {
                    precondition(reader == nil, "two tasks are reading one byte stream")
                    reader = StreamWaiter(id: id, continuation: continuation)
                }
            }
        } onCancel: {
            reactor.execute { self.onLoop(id) { stream, id in stream.cancelWaiters(id) } }
        }
        return try result.get()
    }

    /// Sends every byte of `bytes`, waiting while the socket is full.
    public func write(_ bytes: [UInt8]) async throws(Failure) {
        try ensureRegistered()
        output.append(contentsOf: bytes)
        flush()
        if let failure { throw failure }
        guard outputSent < output.count || connecting else { return }
        let id = makeWaiterID()
        let result = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<Void, Failure>, Never>) in
                if let failure {
                    continuation.resume(returning: .failure(failure))
                } else if Task.isCancelled {
                    continuation.resume(returning: .failure(.closed))
                } else {
                    precondition(writer == nil, "two tasks are writing one byte stream")
                    writer = StreamWaiter(id: id, continuation: continuation)
                }
            }
        } onCancel: {
            reactor.execute { self.onLoop(id) { stream, id in stream.cancelWaiters(id) } }
        }
        try result.get()
    }

    /// Half-closes: the peer reads what was sent, then sees the end. Reading goes on.
    public func shutdownOutput() {
        guard failure == nil else { return }
        Posix.shutdown(fd, how: Posix.shutdownWrite)
    }

    /// Closes the socket now; waiters fail with ``Failure/closed``.
    public func close() {
        fail(.closed)
    }

    /// Closes the stream as ``Failure/timedOut`` at `deadline` (nanoseconds on
    /// `reactor.now()`, the reactor's clock); `nil` removes the deadline. A later call replaces an earlier one.
    public func setDeadline(at deadline: UInt64?) {
        if let timer = self.deadline { reactor.cancelTimer(timer) }
        self.deadline = nil
        guard let deadline, failure == nil else { return }
        self.deadline = reactor.scheduleTimer(at: deadline) { [self] _ in
            // Timers run on the loop thread, this actor's executor.
            onLoop(()) { stream, _ in
                stream.deadline = nil
                stream.fail(.timedOut)
            }
        }
    }

    func makeWaiterID() -> UInt64 {
        nextWaiterID &+= 1
        return nextWaiterID
    }

    func ensureRegistered() throws(Failure) {
        if let failure { throw failure }
        guard registration == nil else { return }
        do {
            registration = try reactor.register(fd, events: ReactorEvents.readWrite, handler: self)
        } catch {
            let reason: Failure = error.errno == Posix.shutdownErrno ? .reactorStopped : .syscall(error)
            fail(reason)
            throw reason
        }
    }

    /// What can be read without waiting: bytes, the end (`.some(nil)`), or `nil` to wait.
    func readNow() throws(Failure) -> [UInt8]?? {
        if let failure { throw failure }
        if endOfStream { return .some(nil) }
        var received: [UInt8] = []
        let scratch = reactor.scratchBuffer
        while readable && received.count < Self.readBudget {
            let room = min(scratch.count, Self.readBudget - received.count)
            let result: IOResult<Int>
            do {
                result = try Posix.receive(fd, into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<room]))
            } catch {
                guard received.isEmpty else { break }  // hand over what came first; the error stays
                fail(.syscall(error))
                throw .syscall(error)
            }
            switch result {
            case .wouldBlock:
                readable = false
            case .processed(0):
                endOfStream = true
                return .some(received.isEmpty ? nil : received)
            case .processed(let count):
                received.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
            }
        }
        return received.isEmpty ? nil : .some(received)
    }

    /// Hands buffered output to the kernel until it is all sent or the socket is full.
    func flush() {
        while writable && outputSent < output.count && failure == nil {
            let descriptor = fd
            let start = outputSent
            let attempt = output.withUnsafeBytes { raw in
                Result { () throws(SyscallError) in
                    try Posix.send(descriptor, from: UnsafeRawBufferPointer(rebasing: raw[start...]))
                }
            }
            switch attempt {
            case .success(.processed(let count)): outputSent += count
            case .success(.wouldBlock): writable = false  // an EPOLLOUT edge resumes it
            case .failure(let error):
                fail(.syscall(error))
                return
            }
        }
        guard outputSent == output.count && !connecting else { return }
        output.removeAll(keepingCapacity: false)
        outputSent = 0
        let waiting = writer
        writer = nil
        waiting?.continuation.resume(returning: .success(()))
    }

    func cancelWaiters(_ id: UInt64) {
        if let waiting = reader, waiting.id == id {
            reader = nil
            waiting.continuation.resume(returning: .failure(.closed))
        }
        if let waiting = writer, waiting.id == id {
            writer = nil
            waiting.continuation.resume(returning: .failure(.closed))
        }
    }

    func serveReader() {
        guard let waiter = reader else { return }
        let outcome: Result<[UInt8]?, Failure>
        do {
            guard let ready = try readNow() else { return }
            outcome = .success(ready)
        } catch {
            // A failed recv has already ended the stream (`fail` resumed and cleared the
            // reader): resuming the waiter again would resume one continuation twice (a peer
            // that reset its connection mid-request crashed the node).
            guard reader?.id == waiter.id else { return }
            outcome = .failure(error)
        }
        reader = nil
        waiter.continuation.resume(returning: outcome)
    }

    /// Ends the stream: deregisters, closes the descriptor, fails both waiters.
    func fail(_ error: Failure) {
        guard failure == nil else { return }
        failure = error
        if let registration { reactor.deregister(registration) }
        registration = nil
        if fd >= 0 { Posix.close(fd) }
        fd = -1
        if let deadline { reactor.cancelTimer(deadline) }
        deadline = nil
        output = []
        let waiting = (reader, writer)
        reader = nil
        writer = nil
        waiting.0?.continuation.resume(returning: .failure(error))
        waiting.1?.continuation.resume(returning: .failure(error))
    }

    func handle(_ mask: UInt32) {
        if connecting && ReactorEvents.isWritable(mask) {
            let code: Int32
            do {
                code = try Posix.pendingError(fd)
            } catch {
                fail(.syscall(error))
                return
            }
            guard code == 0 else {
                fail(.syscall(SyscallError("connect", errno: code)))
                return
            }
            connecting = false
        }
        if ReactorEvents.isWritable(mask) {
            writable = true
            flush()
        }
        if ReactorEvents.isReadable(mask) {
            readable = true
            serveReader()
        }
    }
}

extension ByteStream: ReactorSelectable {
    public nonisolated func reactorEvents(_ events: UInt32) {
        // The reactor calls this on its loop thread, which is this actor's executor.
        onLoop(events) { stream, events in stream.handle(events) }
    }

    public nonisolated func reactorClosing() {
        onLoop(()) { stream, _ in stream.fail(.reactorStopped) }
    }
}

/// Counts ByteStream objects; an atomic, so any thread may read it.
let liveByteStreams = Atomic<Int>(0)

/// A suspended reader or writer of a ``ByteStream`` and the id its cancellation uses.
struct StreamWaiter<Value> {
    let id: UInt64
    let continuation: UnsafeContinuation<Result<Value, ByteStream.Failure>, Never>
}
