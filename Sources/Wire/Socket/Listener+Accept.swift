extension Listener {
    /// The next accepted connection, or `nil` once the listener is closed.
    public func accept() async throws -> Connection? {
        guard !closed else { return nil }
        if registration == nil {
            do {
                registration = try reactor.register(fd, events: ReactorEvents.read, handler: self)
            } catch {
                close()
                return nil
            }
        }
        if let connection = tryAccept() { return connection }
        guard !closed else { return nil }
        precondition(waiter == nil, "two tasks are accepting on one listener")
        nextWaiterID &+= 1
        return try await suspend(id: nextWaiterID) { listener, waiter in
            // Readiness (or a close) may have come before the waiter existed: an edge-triggered
            // listener reports it only once, so look again now.
            guard !listener.closed else {
                waiter.resume(returning: nil)
                return
            }
            listener.waiter = waiter
            listener.serveWaiter()
        } cancel: { listener, id in
            guard listener.waiter?.id == id else { return }
            listener.waiter.take()?.resume(throwing: CancellationError())
        }
    }

    func becameReadable() {
        readable = true
        serveWaiter()
    }

    func serveWaiter() {
        guard waiter != nil, let connection = tryAccept() else { return }
        waiter.take()?.resume(returning: connection)
    }

    /// One accepted connection, or `nil` if none is pending or accepting is paused.
    private func tryAccept() -> Connection? {
        while readable && !pausedUntilRetry && !closed {
            let result: IOResult<(fd: Int32, peer: SocketAddress?)>
            do {
                result = try Posix.accept(fd)
            } catch {
                if Posix.isTransientAcceptError(error.errno) {
                    eventHandler?(.failed(error))
                    continue
                }
                pause(after: error)
                return nil
            }
            switch result {
            case .wouldBlock:
                readable = false
                return nil
            case .processed(let accepted):
                if exhaustionFailures > 0 {
                    eventHandler?(.recovered(failures: exhaustionFailures))
                    exhaustionFailures = 0
                    backoffMilliseconds = 0
                }
                try? Posix.setNoDelay(accepted.fd)
                let local = ((try? Posix.localAddress(accepted.fd)) ?? nil) ?? localAddress
                let remote = accepted.peer ?? SocketAddress(ip: .v4(0), port: 0)
                acceptedCount += 1
                return Connection(
                    fd: accepted.fd, local: local, remote: remote, reactor: reactor,
                    options: connectionOptions)
            }
        }
        return nil
    }

    /// Out of descriptors (or another persistent error): stop trying until a timer fires,
    /// 10 ms doubling to 1 s, so a listener that stays readable never spins the loop.
    private func pause(after error: SyscallError) {
        exhaustionFailures += 1
        if exhaustionFailures == 1 {
            eventHandler?(Posix.isResourceExhaustion(error.errno) ? .exhausted(error) : .failed(error))
        }
        backoffMilliseconds = min(max(backoffMilliseconds * 2, 10), 1000)
        pausedUntilRetry = true
        reactor.scheduleTimer(after: .milliseconds(backoffMilliseconds)) { cancelled in
            guard !cancelled else { return }
            // Timers fire on the loop thread, this actor's executor.
            self.onLoop(()) { listener, _ in
                listener.pausedUntilRetry = false
                listener.readable = true
                listener.serveWaiter()
            }
        }
    }
}
