/// A listening TCP socket whose accepted connections are ``ByteStream``s (the debug
/// endpoint's HTTP). Like `Listener`, it never spins on a readable socket when descriptors
/// run out: it pauses accepting with a backoff timer (10 ms doubling to 1 s).
public actor ByteListener: LoopIsolated {
    public nonisolated let reactor: Reactor
    /// The bound address (with the real port when port 0 was asked for).
    public nonisolated let localAddress: SocketAddress

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        reactor.asUnownedSerialExecutor()
    }

    var fd: Int32
    var registration: RegistrationID?
    var closed = false
    var readable = true
    var paused = false
    var backoffMilliseconds = 0
    var waiter: UnsafeContinuation<ByteStream?, Never>?

    /// Binds and listens on `address` (`SO_REUSEADDR`, non-blocking, close-on-exec).
    public init(bindingTo address: SocketAddress, backlog: Int32 = 64, reactor: Reactor = .shared)
        throws(SyscallError)
    {
        let fd = try Posix.tcpSocket(family: address.family)
        do {
            try Posix.setReuseAddress(fd)
            try Posix.bind(fd, to: address)
            try Posix.listen(fd, backlog: backlog)
            self.localAddress = try Posix.localAddress(fd) ?? address
        } catch {
            Posix.close(fd)
            throw error
        }
        self.fd = fd
        self.reactor = reactor
    }

    deinit {
        // Only reached if never registered (the reactor keeps a registered listener alive).
        if fd >= 0 { Posix.close(fd) }
    }

    /// The next accepted connection; `nil` once the listener is closed. Cancelling the waiting
    /// task closes the listener.
    public func accept() async -> ByteStream? {
        guard !closed else { return nil }
        if registration == nil {
            do {
                registration = try reactor.register(fd, events: ReactorEvents.read, handler: self)
            } catch {
                close()
                return nil
            }
        }
        if let stream = tryAccept() { return stream }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<ByteStream?, Never>) in
                if closed || Task.isCancelled {
                    continuation.resume(returning: nil)
                } else {
                    precondition(waiter == nil, "two tasks are accepting on one listener")
                    waiter = continuation
                }
            }
        } onCancel: {
            reactor.execute { self.onLoop(()) { listener, _ in listener.close() } }
        }
    }

    /// Stops listening; a pending ``accept()`` returns `nil`.
    public func close() {
        guard !closed else { return }
        closed = true
        if let registration { reactor.deregister(registration) }
        registration = nil
        if fd >= 0 { Posix.close(fd) }
        fd = -1
        let waiting = waiter
        waiter = nil
        waiting?.resume(returning: nil)
    }

    func serveWaiter() {
        guard let waiting = waiter, let stream = tryAccept() else { return }
        waiter = nil
        waiting.resume(returning: stream)
    }

    private func tryAccept() -> ByteStream? {
        while readable && !paused && !closed {
            let result: IOResult<(fd: Int32, peer: SocketAddress?)>
            do {
                result = try Posix.accept(fd)
            } catch {
                if Posix.isTransientAcceptError(error.errno) { continue }
                pause()
                return nil
            }
            switch result {
            case .wouldBlock:
                readable = false
                return nil
            case .processed(let accepted):
                backoffMilliseconds = 0
                let local = ((try? Posix.localAddress(accepted.fd)) ?? nil) ?? localAddress
                let remote = accepted.peer ?? SocketAddress(ip: .v4(0), port: 0)
                return ByteStream(fd: accepted.fd, local: local, remote: remote, reactor: reactor)
            }
        }
        return nil
    }

    /// Out of descriptors (or another persistent error): retry after a timer, never spin.
    private func pause() {
        backoffMilliseconds = min(max(backoffMilliseconds * 2, 10), 1000)
        paused = true
        reactor.scheduleTimer(after: .milliseconds(backoffMilliseconds)) { [self] cancelled in
            guard !cancelled else { return }
            // Timers fire on the loop thread, this actor's executor.
            onLoop(()) { listener, _ in
                listener.paused = false
                listener.readable = true
                listener.serveWaiter()
            }
        }
    }
}

extension ByteListener: ReactorSelectable {
    public nonisolated func reactorEvents(_ events: UInt32) {
        // Called on the loop thread, this actor's executor.
        onLoop(()) { listener, _ in
            listener.readable = true
            listener.serveWaiter()
        }
    }

    public nonisolated func reactorClosing() {
        onLoop(()) { listener, _ in listener.close() }
    }
}
