extension Connection {
    /// What a ``deliverBatches(to:)`` handler wants after a batch.
    public enum DeliveryStep: Sendable {
        /// Go on delivering.
        case proceed
        /// Stop after this batch: `deliverBatches` returns ``DeliveryEnd/paused``. Nothing is
        /// read from the socket until the next call, so TCP holds the peer back meanwhile.
        case pause
        /// Stop inside this batch: as `pause`, and the frames `rest` has not returned yet go
        /// first to the next `deliverBatches` call.
        case pauseKeeping(rest: FrameBatch.Iterator)
        /// Enough for this loop pass: the frames `rest` has not returned yet go to the same
        /// handler in the next pass, after every other connection has had its turn, and
        /// nothing more is read meanwhile. The call does not return. A peer whose frames are
        /// tiny (13-byte Pings: 5,000 in one read budget, each owed a Pong) so costs one
        /// slice of work per pass, not a whole read budget.
        case continueLater(rest: FrameBatch.Iterator)
    }

    /// How a ``deliverBatches(to:)`` call ended, when it did not throw.
    public enum DeliveryEnd: Sendable, Equatable {
        /// The handler paused.
        case paused
        /// The peer closed cleanly, on a frame boundary.
        case endOfStream
    }

    /// What one read cycle produced.
    enum ReadOutcome {
        case batch(FrameBatch)
        case nothingYet
        case end
        case failed(ConnectionError)
    }

    /// Hands every batch of whole frames to `handler` as soon as it is read, until the handler
    /// pauses or the peer closes cleanly (returns), or the connection fails, `handler` throws,
    /// or the task is cancelled (throws). The one way to read frames.
    ///
    /// `handler` runs on the loop thread, from the epoll callback (or at once, for what is
    /// already readable): no task to resume, no job to queue, no task switch; the caller's task
    /// waits once, for the end. `handler` must not block; an actor on this reactor enters
    /// itself with `onLoop`. It may send and close on this connection: a flush or a close it
    /// causes takes effect when it returns (LoopIsolated.swift). Back-pressure: the socket is
    /// read only as fast as `handler` returns, and not at all between calls.
    @discardableResult
    public func deliverBatches(
        to handler: @escaping @Sendable (FrameBatch) throws -> DeliveryStep
    ) async throws -> DeliveryEnd {
        try ensureRegistered()
        precondition(consumer == nil, "two tasks are reading one connection")
        return try await suspend(id: makeWaiterID()) { connection, end in
            connection.consumer = BatchConsumer(id: end.id, handler: handler, end: end)
            connection.serveConsumer()  // what is readable (or held) now goes first
        } cancel: { connection, id in
            connection.endDelivery(id: id, .failure(CancellationError()))
        }
    }

    /// Accepts frames of at most `size` bytes (capped at `options.maximumFrameSize`) until
    /// ``liftFrameSizeRestriction()``: before a peer is known, a larger declared length is
    /// refused as soon as its header arrives, so it cannot hold megabytes of partial frame.
    ///
    /// A larger frame right behind frames that lift the restriction (a handshake's last
    /// message and the session's first, in one read) is not refused: reading stops at its
    /// header until the batch before it is delivered, and goes on under the limit then in force.
    public func restrictFrameSize(to size: Int) {
        decoder = FrameDecoder(maximumSize: max(0, min(size, options.maximumFrameSize)))
    }

    /// Accepts frames up to `options.maximumFrameSize` again.
    public func liftFrameSizeRestriction() {
        decoder = FrameDecoder(maximumSize: options.maximumFrameSize)
    }

    /// Stops `deliverBatches` (only the call `id` names, when given) with `result`.
    func endDelivery(id: UInt64? = nil, _ result: Result<DeliveryEnd, any Error>) {
        guard let current = consumer, id == nil || current.id == id else { return }
        consumer = nil
        switch result {
        case .success(let end): current.end.resume(returning: end)
        case .failure(let error): current.end.resume(throwing: error)
        }
    }

    /// After a read cycle spent its budget inside one large frame, the socket is still
    /// readable but no new edge will come: continue on a later pass, after other work.
    func resumeReadingLaterIfNeeded() {
        guard state.readable && !state.endOfStream && failure == nil else { return }
        reactor.executeNextPass { self.onLoop(()) { connection, _ in connection.serveReader() } }
    }

    /// Reads for the `deliverBatches` consumer, if one waits (and did not ask to go on only in
    /// the next pass).
    func serveReader() {
        guard !readingPaused, !continuingNextPass else { return }
        if consumer != nil { serveConsumer() }
    }

    /// After `.continueLater`: the kept frames go to the consumer in the next pass.
    private func continueInNextPass() {
        continuingNextPass = true
        reactor.executeNextPass {
            self.onLoop(()) { connection, _ in
                connection.continuingNextPass = false
                connection.serveReader()
            }
        }
    }

    private func serveConsumer() {
        while let current = consumer {
            switch readCycle() {
            case .nothingYet:
                resumeReadingLaterIfNeeded()
                return
            case .end:
                endDelivery(.success(.endOfStream))
                return
            case .failed(let error):
                endDelivery(.failure(error))
                return
            case .batch(let batch):
                state.beginDelivery()
                let step = Result { try current.handler(batch) }
                for action in state.endDelivery() { perform(action) }
                switch step {
                case .failure(let error):
                    endDelivery(.failure(error))
                    return
                case .success(.pause):
                    endDelivery(.success(.paused))
                    return
                case .success(.pauseKeeping(let rest)):
                    keepUnprocessed(rest)
                    endDelivery(.success(.paused))
                    return
                case .success(.continueLater(let rest)):
                    keepUnprocessed(rest)
                    guard consumer != nil else { return }  // the handler closed the connection
                    continueInNextPass()
                    return
                case .success(.proceed):
                    guard consumer != nil else { return }  // the handler closed the connection
                }
                // The end, a bad frame, or bytes held at the frame limit came behind this batch:
                // settle them now. Otherwise the budget ran out: go on in a later pass.
                if state.endOfStream || state.inputError != nil || failure != nil || rescanPartial { continue }
                resumeReadingLaterIfNeeded()
                return
            }
        }
    }

    /// Puts the frames a paused handler left in front of whatever is still unread.
    private func keepUnprocessed(_ rest: FrameBatch.Iterator) {
        let unread = rest.remainingBytes
        guard !unread.isEmpty else { return }
        partial = Array(unread) + partial
        rescanPartial = true
    }

    /// Reads until the socket is drained or the budget is spent, and cuts whole frames out.
    func readCycle() -> ReadOutcome {
        if let failure { return .failed(failure) }
        var batch: [UInt8] = []
        if rescanPartial {
            rescanPartial = false
            state.heldAtFrameLimit = false
            let pending = partial
            partial = []
            let scanned = pending.withUnsafeBytes { raw in
                Result { () throws(FrameError) in try absorb(raw, into: &batch) }
            }
            if case .failure(let error) = scanned { state.inputError = .frame(error) }
        }
        // Whole frames held back (a paused or deferred delivery) go first, alone: reading more
        // behind them would let the held bytes grow by a read budget at every pause.
        var budget = batch.isEmpty ? options.readBudget : 0
        let scratch = reactor.scratchBuffer
        while state.readable && !state.endOfStream && state.inputError == nil && !state.heldAtFrameLimit
            && budget > 0
        {
            let result: IOResult<Int>
            do {
                result = try Posix.receive(fd, into: scratch)
            } catch {
                state.inputError = .syscall(error)
                break
            }
            switch result {
            case .wouldBlock:
                state.readable = false
            case .processed(0):
                state.endOfStream = true
            case .processed(let count):
                bytesIn += count
                budget -= count
                // A short read emptied the socket: the next arrival raises a new edge (but an
                // end of stream already announced raises none, so read on to see it).
                if count < scratch.count && !state.hangupSeen { state.readable = false }
                do {
                    try absorb(UnsafeRawBufferPointer(rebasing: scratch[0..<count]), into: &batch)
                } catch {
                    state.inputError = .frame(error)
                }
            }
        }
        if state.endOfStream && !partial.isEmpty && state.inputError == nil {
            state.inputError = .frame(
                .truncated(have: partial.count, need: partialFrameSize ?? Frame.headerSize))
            partial = []
        }
        if !batch.isEmpty { return .batch(FrameBatch(storage: batch)) }
        if let inputError = state.inputError { return .failed(inputError) }
        return state.endOfStream ? .end : .nothingYet
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
        var offset = 0
        if !partial.isEmpty {
            if partial.count < Frame.headerSize {
                let take = min(Frame.headerSize - partial.count, bytes.count)
                partial.append(contentsOf: bytes[0..<take])
                offset = take
                guard partial.count == Frame.headerSize else { return }
                do {
                    try checkPartialHeader()
                } catch {
                    guard mayHold(error, batchIsEmpty: batch.isEmpty) else { throw error }
                    hold(bytes[offset...])
                    return
                }
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
            let step: FrameDecoder.Step
            do {
                step = try decoder.next(in: bytes, at: offset)
            } catch {
                guard mayHold(error, batchIsEmpty: batch.isEmpty && offset == start) else { throw error }
                batch.append(contentsOf: bytes[start..<offset])
                hold(bytes[offset...])
                return
            }
            switch step {
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

    /// True if `error` is a length over a restricted limit, behind frames that could lift it.
    private func mayHold(_ error: FrameError, batchIsEmpty: Bool) -> Bool {
        guard !batchIsEmpty, case .oversized(let length, _) = error else { return false }
        return Int(length) <= options.maximumFrameSize
    }

    /// Keeps `rest` (from a header over the limit on) unread until the batch before it is
    /// delivered; it is scanned again then, under the limit in force.
    private func hold(_ rest: Slice<UnsafeRawBufferPointer>) {
        partial.append(contentsOf: rest)
        rescanPartial = true
        state.heldAtFrameLimit = true
    }

    /// Validates the length of the partial frame and reserves room for exactly that frame.
    private func checkPartialHeader() throws(FrameError) {
        let step = partial.withUnsafeBytes { raw in Result { () throws(FrameError) in try decoder.next(in: raw, at: 0) }
        }
        if case .needMore(let needed) = try step.get() { partial.reserveCapacity(needed) }
    }
}
