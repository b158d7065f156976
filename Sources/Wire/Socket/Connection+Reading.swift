extension Connection {
    /// What one read cycle produced.
    enum ReadOutcome {
        case batch(FrameBatch)
        case nothingYet
        case end
        case failed(ConnectionError)
    }

    /// The frames received, in order; ends at a clean end of stream, throws on a failure.
    public nonisolated var frames: Frames { Frames(connection: self) }

    /// Waits for the next batch of whole frames; `nil` once the peer closed cleanly.
    ///
    /// Reading happens here, on demand: while nobody asks, nothing is read, so a consumer that
    /// lags holds the peer back through TCP flow control instead of growing a buffer.
    public func receiveBatch() async throws -> FrameBatch? {
        if let ready = try batchIfReady() { return ready }
        let id = makeWaiterID()
        return try await withTaskCancellationHandler {
            try await waitForBatch(id: id)
        } onCancel: {
            reactor.execute { self.onLoop(id) { connection, id in connection.cancelReadWaiter(id) } }
        }
    }

    /// Hands every batch to `handler` on the loop thread as soon as it is read, until the peer
    /// closes cleanly (returns) or the connection fails, `handler` throws, or the task is
    /// cancelled (throws).
    ///
    /// The push form of `receiveBatch()` in a loop: a read cycle calls `handler` from the epoll
    /// callback, with no task to resume, no job to queue and no task switch; the caller's task
    /// waits once, for the end. `handler` must not block: it runs on the reactor thread
    /// (an actor on this reactor enters itself with `onLoop`). Back-pressure is unchanged:
    /// the socket is read only as fast as `handler` returns.
    public func deliverBatches(to handler: @escaping @Sendable (FrameBatch) throws -> Void) async throws {
        // What is readable now goes first, as `receiveBatch()` would hand it over.
        while let ready = try batchIfReady() {
            guard let batch = ready else { return }  // a clean end
            try handler(batch)
        }
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (end: UnsafeContinuation<Void, any Error>) in
                if Task.isCancelled {
                    end.resume(throwing: CancellationError())
                } else if let failure {
                    end.resume(throwing: failure)
                } else {
                    precondition(readWaiter == nil && batchConsumer == nil, "two tasks are reading one connection")
                    batchConsumer = BatchConsumer(handler: handler, end: end)
                    resumeReadingLaterIfNeeded()
                }
            }
        } onCancel: {
            reactor.execute {
                self.onLoop(CancellationError()) { connection, error in connection.endDelivery(throwing: error) }
            }
        }
    }

    /// What a read cycle has now: a batch, or the end (`.some(nil)`); `nil` if it must wait.
    private func batchIfReady() throws -> FrameBatch?? {
        try ensureRegistered()
        switch readCycle() {
        case .batch(let batch): return .some(batch)
        case .end: return .some(nil)
        case .failed(let error): throw error
        case .nothingYet: return nil
        }
    }

    private func waitForBatch(id: UInt64) async throws -> FrameBatch? {
        precondition(readWaiter == nil, "two tasks are reading one connection")
        return try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<FrameBatch?, any Error>) in
            if Task.isCancelled {
                continuation.resume(throwing: CancellationError())
            } else {
                readWaiter = Waiter(id: id, continuation: continuation)
                resumeReadingLaterIfNeeded()
            }
        }
    }

    /// Stops `deliverBatches`: it returns (`error` nil, a clean end) or throws `error`.
    func endDelivery(throwing error: (any Error)?) {
        guard let consumer = batchConsumer.take() else { return }
        if let error { consumer.end.resume(throwing: error) } else { consumer.end.resume() }
    }

    func cancelReadWaiter(_ id: UInt64) {
        guard readWaiter?.id == id else { return }
        readWaiter.take()?.continuation.resume(throwing: CancellationError())
    }

    /// After a read cycle spent its budget inside one large frame, the socket is still
    /// readable but no new edge will come: continue on a later pass, after other work.
    private func resumeReadingLaterIfNeeded() {
        guard readable && !endOfStream && failure == nil else { return }
        reactor.execute { self.onLoop(()) { connection, _ in connection.serveReader() } }
    }

    /// Reads for whoever waits: a `receiveBatch()` call or a `deliverBatches` consumer.
    func serveReader() {
        guard !readingPaused else { return }
        if readWaiter != nil {
            serveReadWaiter()
        } else if batchConsumer != nil {
            serveBatchConsumer()
        }
    }

    private func serveBatchConsumer() {
        guard let consumer = batchConsumer else { return }
        switch readCycle() {
        case .nothingYet: resumeReadingLaterIfNeeded()
        case .batch(let batch):
            do {
                try consumer.handler(batch)
            } catch {
                endDelivery(throwing: error)
                return
            }
            if endOfStream || inputError != nil || failure != nil {
                serveBatchConsumer()  // the end, or a bad frame, came behind this batch: say so now
            } else {
                // Still readable (the budget ran out): go on in a later pass, after other work.
                resumeReadingLaterIfNeeded()
            }
        case .end: endDelivery(throwing: nil)
        case .failed(let error): endDelivery(throwing: error)
        }
    }

    private func serveReadWaiter() {
        guard readWaiter != nil else { return }
        switch readCycle() {
        case .nothingYet: resumeReadingLaterIfNeeded()
        case .batch(let batch): readWaiter.take()?.continuation.resume(returning: batch)
        case .end: readWaiter.take()?.continuation.resume(returning: nil)
        case .failed(let error): readWaiter.take()?.continuation.resume(throwing: error)
        }
    }

    /// Reads until the socket is drained or the budget is spent, and cuts whole frames out.
    func readCycle() -> ReadOutcome {
        if let failure { return .failed(failure) }
        var batch: [UInt8] = []
        var budget = options.readBudget
        let scratch = reactor.scratchBuffer
        while readable && !endOfStream && inputError == nil && budget > 0 {
            let result: IOResult<Int>
            do {
                result = try Posix.receive(fd, into: scratch)
            } catch {
                inputError = .syscall(error)
                break
            }
            switch result {
            case .wouldBlock:
                readable = false
            case .processed(0):
                endOfStream = true
            case .processed(let count):
                bytesIn += count
                budget -= count
                // A short read emptied the socket: the next arrival raises a new edge (but an
                // end of stream already announced raises none, so read on to see it).
                if count < scratch.count && !hangupSeen { readable = false }
                do {
                    try absorb(UnsafeRawBufferPointer(rebasing: scratch[0..<count]), into: &batch)
                } catch {
                    inputError = .frame(error)
                }
            }
        }
        if endOfStream && !partial.isEmpty && inputError == nil {
            inputError = .frame(.truncated(have: partial.count, need: partialFrameSize ?? Frame.headerSize))
            partial = []
        }
        if !batch.isEmpty { return .batch(FrameBatch(storage: batch)) }
        if let inputError { return .failed(inputError) }
        return endOfStream ? .end : .nothingYet
    }

    /// The full size (header included) of the frame `partial` holds the start of, once known.
    var partialFrameSize: Int? {
        guard partial.count >= Frame.headerSize else { return nil }
        let length = partial.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self).bigEndian }
        return Frame.headerSize + Int(length)
    }

    /// Moves whole frames from `bytes` (and from a partial frame kept from the last read)
    /// into `batch`; keeps the tail of an incomplete frame in `partial`.
    private func absorb(_ bytes: UnsafeRawBufferPointer, into batch: inout [UInt8]) throws(FrameError) {
        if rawMode {
            batch.append(contentsOf: bytes)
            return
        }
        var offset = 0
        if !partial.isEmpty {
            if partial.count < Frame.headerSize {
                let take = min(Frame.headerSize - partial.count, bytes.count)
                partial.append(contentsOf: bytes[0..<take])
                offset = take
                guard partial.count == Frame.headerSize else { return }
                try checkPartialHeader()
            }
            let size = partialFrameSize!
            let take = min(size - partial.count, bytes.count - offset)
            partial.append(contentsOf: bytes[offset..<(offset + take)])
            offset += take
            guard partial.count == size else { return }
            framesIn += 1
            if batch.isEmpty {
                swap(&batch, &partial)  // a large frame moves into the batch without a copy
            } else {
                batch.append(contentsOf: partial)
            }
            partial = []
        }
        let start = offset
        scan: while true {
            switch try decoder.next(in: bytes, at: offset) {
            case .frame(let body):
                offset = body.upperBound
                framesIn += 1
            case .needMore:
                break scan
            }
        }
        if offset > start { batch.append(contentsOf: bytes[start..<offset]) }
        if offset < bytes.count {
            partial.append(contentsOf: bytes[offset...])
            if partial.count >= Frame.headerSize { try checkPartialHeader() }
        }
    }

    /// Waits for the next bytes, unframed; `nil` once the peer closed. The first call puts
    /// the connection in raw mode for good (do not mix with `frames`).
    public func receiveBytes() async throws -> [UInt8]? {
        rawMode = true
        return try await receiveBatch()?.storage
    }

    /// Validates the length of the partial frame and reserves room for exactly that frame.
    private func checkPartialHeader() throws(FrameError) {
        let step = partial.withUnsafeBytes { raw in Result { () throws(FrameError) in try decoder.next(in: raw, at: 0) }
        }
        if case .needMore(let needed) = try step.get() { partial.reserveCapacity(needed) }
    }
}

extension Connection {
    /// The frames of a connection as an `AsyncSequence`; one suspension per read cycle.
    public struct Frames: AsyncSequence, Sendable {
        public typealias Element = Frame
        public typealias Failure = any Error
        let connection: Connection

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(connection: connection)
        }

        public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
            let connection: Connection
            var batch: FrameBatch.Iterator?

            public mutating func next() async throws -> Frame? {
                try await next(isolation: #isolation)
            }

            /// The frames already received and not yet returned (the rest of the current
            /// batch), so a caller can switch to reading whole batches without losing any.
            public mutating func takeBuffered() -> [Frame] {
                var frames: [Frame] = []
                while let frame = batch?.next() { frames.append(frame) }
                batch = nil
                return frames
            }

            public mutating func next(isolation actor: isolated (any Actor)?) async throws -> Frame? {
                if let frame = batch?.next() { return frame }
                while let received = try await connection.receiveBatch() {
                    var iterator = received.makeIterator()
                    if let frame = iterator.next() {
                        batch = iterator
                        return frame
                    }
                }
                batch = nil
                return nil
            }
        }
    }
}
