extension Connection {
    /// Dials `remote`, binding first to `source` when given (the IP the other side sees),
    /// and waits at most `timeout` for the TCP handshake.
    ///
    /// Failures are ``ConnectionError``s whose `reason` is the dial reason code
    /// (`connection_refused`, `timeout`, `no_route_to_host`, …). Cancelling the calling task
    /// abandons the dial and closes the socket.
    public static func connect(
        to remote: SocketAddress, from source: IPAddress? = nil, timeout: Duration,
        reactor: Reactor = .shared, options: Options = Options()
    ) async throws -> Connection {
        let fd: Int32
        let local: SocketAddress
        var inProgress = false
        do {
            fd = try Posix.tcpSocket(family: remote.family)
        } catch {
            throw ConnectionError.syscall(error)
        }
        do {
            try Posix.setNoDelay(fd)
            if let source { try Posix.bind(fd, to: SocketAddress(ip: source, port: 0)) }
            if case .wouldBlock = try Posix.connect(fd, to: remote) { inProgress = true }
            local = try Posix.localAddress(fd) ?? SocketAddress(ip: .v4(0), port: 0)
        } catch {
            Posix.close(fd)
            throw ConnectionError.syscall(error)
        }
        let connection = Connection(
            fd: fd, local: local, remote: remote, reactor: reactor, options: options, connecting: inProgress)
        try await connection.awaitConnected(deadline: reactor.now() &+ timeout.nanoseconds)
        return connection
    }

    private func awaitConnected(deadline: UInt64) async throws {
        try ensureRegistered()
        guard state.stage == .connecting else { return }
        do {
            try await suspend(id: makeWaiterID()) { (connection, waiter: Waiter<Void>) in
                // The dial may have ended while the caller was getting here (an EPOLLOUT edge
                // handled before the waiter existed): answer now, or nobody ever will.
                guard connection.state.stage == .connecting else {
                    if let failure = connection.failure { waiter.resume(throwing: failure) } else { waiter.resume() }
                    return
                }
                connection.connectWaiter = waiter
                connection.connectTimer = connection.reactor.scheduleTimer(at: deadline) { _ in
                    // Timers fire on the loop thread, this actor's executor.
                    self.onLoop(waiter.id) { connection, id in connection.connectTimedOut(id) }
                }
            } cancel: { connection, id in
                guard let waiter = connection.connectWaiter, waiter.id == id else { return }
                connection.connectWaiter = nil
                connection.fail(.closed)
                waiter.resume(throwing: CancellationError())
            }
        } catch is CancellationError {
            fail(.closed)  // cancelled before it started: the socket is abandoned all the same
            throw CancellationError()
        }
    }

    private func connectTimedOut(_ id: UInt64) {
        guard connectWaiter?.id == id else { return }
        connectTimer = nil
        fail(.timedOut(operation: "connect"))
    }

    /// A connecting socket reported: `SO_ERROR` says whether the dial succeeded.
    func finishConnect(_ mask: UInt32) {
        guard ReactorEvents.isWritable(mask) else { return }
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
        state.connected()
        if let connectTimer { reactor.cancelTimer(connectTimer) }
        connectTimer = nil
        connectWaiter.take()?.resume()
    }
}
