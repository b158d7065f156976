extension Connection {
    /// Outbound bytes not yet accepted by the kernel.
    public var bufferedBytes: Int { outbound.count }

    /// Queues one frame holding `body`; it is sent at the end of this loop pass.
    /// Throws if the connection is closed, or fails it as `slow_peer` past the buffer limit.
    public func send(frame body: some Collection<UInt8>) throws(ConnectionError) {
        try prepareToAppend()
        outbound.encode { FrameEncoder.append(body, to: &$0) }
        framesOut += 1
        scheduleFlush()
    }

    /// Queues `message` as one frame, encoded straight into the outbound buffer.
    public func send(_ message: Message) throws(ConnectionError) {
        try prepareToAppend()
        outbound.encode { message.encodeFrame(into: &$0) }
        framesOut += 1
        scheduleFlush()
    }

    /// Queues every frame of `batch` unchanged (an echo of what was received).
    public func send(batch: FrameBatch) throws(ConnectionError) {
        try prepareToAppend()
        outbound.append(chunk: batch.storage)  // queued by reference: no copy
        scheduleFlush()
    }

    /// Queues raw bytes (no length prefix).
    public func send(bytes: [UInt8]) throws(ConnectionError) {
        try ensureRegistered()
        outbound.append(chunk: bytes)
        scheduleFlush()
    }

    /// Returns at once while at most `highWatermark` bytes are buffered; otherwise waits
    /// until the buffer drains to `lowWatermark`.
    public func waitUntilWritable() async throws {
        if let failure { throw failure }
        guard bufferedBytes > options.highWatermark else { return }
        try await waitForDrain(to: options.lowWatermark)
    }

    /// Waits until every buffered byte has been handed to the kernel.
    public func flush() async throws {
        if let failure { throw failure }
        guard bufferedBytes > 0 else { return }
        flushNow()
        guard bufferedBytes > 0 else { return }
        try await waitForDrain(to: 0)
    }

    private func waitForDrain(to threshold: Int) async throws {
        try ensureRegistered()
        try await suspend(id: makeWaiterID()) { (connection, waiter: Waiter<Void>) in
            // The buffer may have drained, or the connection failed, before the waiter existed.
            if let failure = connection.failure {
                waiter.resume(throwing: failure)
                return
            }
            connection.drainWaiters.append(DrainWaiter(waiter: waiter, threshold: threshold))
            connection.resumeDrainWaiters()
        } cancel: { connection, id in
            guard let index = connection.drainWaiters.firstIndex(where: { $0.waiter.id == id }) else { return }
            connection.drainWaiters.remove(at: index).waiter.resume(throwing: CancellationError())
        }
    }

    private func prepareToAppend() throws(ConnectionError) {
        try ensureRegistered()
        if bufferedBytes > options.maximumBufferedBytes {
            let error = ConnectionError.slowPeer(buffered: bufferedBytes)
            fail(error)
            throw error
        }
    }

    func scheduleFlush() {
        if state.requestFlushAtEndOfPass() { reactor.scheduleFlush(self) }
    }

    /// Hands buffered bytes to the kernel now (after the delivery in progress, if any).
    func flushNow() {
        if let action = state.requestFlush() { perform(action) }
    }

    /// Hands buffered bytes to the kernel until it is all sent or the socket is full.
    func writeOut() {
        while state.writable && !outbound.isEmpty && fd >= 0 {
            let descriptor = fd
            let attempt =
                outbound.pendingChunks == 1
                ? outbound.withFirstUnsentBuffer { buffer in
                    Result { () throws(SyscallError) in try Posix.send(descriptor, from: buffer) }
                }
                : outbound.withUnsentBuffers(maximumChunks: Posix.maximumVectoredBuffers) { buffers in
                    Result { () throws(SyscallError) in try Posix.send(descriptor, buffers: buffers) }
                }
            switch attempt {
            case .success(.processed(let count)):
                outbound.consume(count)
                bytesOut += count
            case .success(.wouldBlock):
                state.writable = false  // an EPOLLOUT edge resumes us
            case .failure(let error):
                fail(.syscall(error))
                return
            }
        }
        if state.outputShutdownPending && outbound.isEmpty && fd >= 0 {
            state.outputShutdownPending = false
            Posix.shutdown(fd, how: Posix.shutdownWrite)
        }
        resumeDrainWaiters()
    }

    func resumeDrainWaiters() {
        guard !drainWaiters.isEmpty else { return }
        let buffered = bufferedBytes
        var remaining: [DrainWaiter] = []
        for drain in drainWaiters {
            if buffered <= drain.threshold {
                drain.waiter.resume()
            } else {
                remaining.append(drain)
            }
        }
        drainWaiters = remaining
    }
}

extension Connection {
    /// Sends what is queued, then half-closes (the peer reads to the end and sees EOF).
    /// Reading continues until the peer closes or `close()` is called.
    /// Called while a batch is being delivered, it happens when the handler returns.
    public func shutdownOutputAfterFlush() {
        guard failure == nil else { return }
        state.outputShutdownPending = true
        flushNow()
    }
}
