import Diagnostics
import Wire

/// One session's budgets (DESIGN.md "Every peer has a budget"): payload bytes queued toward
/// the application, GetPeers answers per interval, addresses learned per second.
struct SessionBudgets {
    /// Bytes queued toward the application (`--max-receive-buffer`).
    let receive: ReceiveLedger
    /// Addresses a peer may teach us: bitcoind's 0.1 a second, 1,000 saved.
    var addresses: TokenBucket
    /// GetPeers answered: one per interval, two saved (our own node asks at session start and
    /// once a cycle, and an ask that goes unanswered stays owed on its side).
    var answers: TokenBucket
    /// The timer that drops a peer whose send queue stays over budget (`sendStallTimeout`).
    var sendStallTimer: TimerID?
    /// GetPeers ignored since the last one answered. No implementation asks more than once a
    /// cycle, so past `maximumIgnoredGetPeers` it is a flood, and the peer is cut off: even
    /// ignored, a GetPeers costs a frame's handling, and 64 KiB of them are 13,000 frames.
    var ignoredGetPeers = 0
    /// Set when the peer was cut off for a flood: nothing more is read from it, not even
    /// during the linger (discarding a flood still costs scanning every frame of it).
    var stopReading = false

    static let maximumIgnoredGetPeers = 100

    static let addressRate = 0.1
    static let addressBurst = 1000.0

    init(configuration: NodeConfiguration, now: UInt64) {
        receive = ReceiveLedger(limit: configuration.maximumReceiveBuffer)
        addresses = TokenBucket(rate: Self.addressRate, burst: Self.addressBurst, now: now)
        let interval = max(0.001, Double(configuration.addressShareInterval.nanoseconds) / 1e9)
        answers = TokenBucket(rate: 1 / interval, burst: 2, now: now)
    }
}

/// The node-wide tallies of the budgets, exact whatever the log budget writes (`/metrics`).
final class BudgetCounters: Sendable {
    struct Values: Sendable, Equatable {
        /// Payloads (and their bytes) received from peers and queued toward the application.
        var payloadsReceived = 0
        var payloadBytesReceived = 0
        /// Times a session stopped reading: its receive budget, or its send budget, was spent.
        var receivePauses = 0
        var sendPauses = 0
        /// GetPeers past a peer's answer budget, ignored.
        var getPeersIgnored = 0
        /// Learned addresses past a peer's token bucket, dropped.
        var addressesRateLimited = 0
        /// Times the GetPeers sample was computed from the peer book.
        var addressSampleRefreshes = 0
    }

    private let values = LockedValue(Values())
    /// True while a trim is scheduled (``PeerConnection/releaseMemoryIfHeavy()``).
    private let trimScheduled = LockedValue(false)

    /// True if the caller should schedule a trim (none is scheduled yet).
    func claimTrim() -> Bool {
        trimScheduled.withLock { scheduled in
            defer { scheduled = true }
            return !scheduled
        }
    }

    func trimDone() {
        trimScheduled.withLock { $0 = false }
    }

    var snapshot: Values { values.withLock { $0 } }

    func update(_ body: (inout Values) -> Void) {
        values.withLock { body(&$0) }
    }
}

/// The GetPeers sample one node shares between its sessions.
final class SharedAddressSample: Sendable {
    private let sample: LockedValue<AddressSample?> = LockedValue(nil)

    /// The sample at `now`, computed with `compute` when missing or stale.
    func addresses(interval: Duration, now: UInt64, compute: () -> [SocketAddress]) -> (
        addresses: [SocketAddress], refreshed: Bool
    ) {
        sample.withLock { sample in
            var current = sample ?? AddressSample(interval: interval)
            let before = current.refreshes
            let addresses = current.addresses(now: now, compute: compute)
            sample = current
            return (addresses, current.refreshes != before)
        }
    }
}

extension Delivery {
    /// Gives the bytes of a batch the application has taken back to its peer's budget.
    static func release(_ batch: [Delivery]) {
        guard let ledger = batch.first?.ledger else { return }
        var bytes = 0
        for delivery in batch { bytes = bytes.addingSaturating(delivery.bytes.count) }
        ledger.release(bytes)
    }
}

extension PeerConnection {
    /// True while the bytes queued to the peer are past `--max-send-buffer`: the session takes
    /// nothing more from it (bitcoind's fPauseSend) until they drain to half of it.
    var sendBudgetSpent: Bool {
        onConnection { $0.bufferedBytes > $0.options.highWatermark }
    }

    /// Queues a read cycle's payloads toward the application and charges them to the receive
    /// budget; true if reading must pause.
    func deliver(_ payloads: [Delivery], bytes: Int) -> Bool {
        guard !payloads.isEmpty else { return false }
        context.budgetCounters.update {
            $0.payloadsReceived += payloads.count
            $0.payloadBytesReceived = $0.payloadBytesReceived.addingSaturating(bytes)
        }
        // An application's channel subscriptions bound each peer themselves (the hub pauses
        // this connection past `channelBufferBytes` and resumes it as the application takes
        // them): only what goes on to the catch-all stream is charged here, and given back as
        // the application takes it.
        var pause = false
        if let hub = context.application?.channels {
            hub.deliver(payloads) { charged in pause = charged > 0 && budgets?.receive.charge(charged) == true }
        } else {
            pause = budgets?.receive.charge(bytes) ?? false
            context.payloads.yield(payloads)
        }
        if pause { context.budgetCounters.update { $0.receivePauses += 1 } }
        return pause
    }

    /// After a paused delivery: waits until the application took enough payloads and the
    /// send queue drained below its low watermark. A send queue that stays over budget for
    /// `sendStallTimeout` (on the reactor's clock) ends the session as `slow_peer`.
    func waitForBudgets() async throws {
        guard let budgets else { return }
        await budgets.receive.waitForRoom()
        guard closeReason == nil, sendBudgetSpent else { return }
        context.budgetCounters.update { $0.sendPauses += 1 }
        self.budgets?.sendStallTimer = reactor.scheduleTimer(after: NodeConfiguration.sendStallTimeout) {
            cancelled in
            guard !cancelled else { return }
            // Timers fire on the reactor thread, this actor's executor.
            self.onLoop(()) { peer, _ in peer.sendStalled() }
        }
        defer { cancelSendStallTimer() }
        try await connection.waitUntilWritable()
    }

    private func sendStalled() {
        budgets?.sendStallTimer = nil
        guard closeReason == nil else { return }
        let buffered = onConnection { $0.bufferedBytes }
        context.logger.log(
            .info, "peer.slow", peer: listenAddress.description, reason: .slowPeer,
            [("buffered", .int(buffered))])
        abort(reason: .slowPeer)
    }

    func cancelSendStallTimer() {
        if let timer = budgets?.sendStallTimer { reactor.cancelTimer(timer) }
        budgets?.sendStallTimer = nil
    }

    /// Messages of one peer handled in one loop pass; the rest of its read waits for the next
    /// pass, after every other connection's turn. A read budget (64 KiB) holds 5,000 Pings,
    /// each owed a Pong: 16 peers flooding Pings made passes of 40–90 ms of CPU, and every
    /// other peer's messages waited behind them. 256 is more than a read of 256-byte payloads
    /// holds (240), so ordinary traffic is not cut.
    static let messagesPerPass = 256

    /// Traffic past which a session's end gives freed memory back to the kernel.
    static let heavySessionBytes = 1 << 20
    /// How long after such a session the memory is given back: its last payloads are freed
    /// only when the application has taken them, and many sessions ending together (the
    /// attackers leaving) share one trim.
    static let trimDelay = Duration.seconds(1)

    /// After a session that moved megabytes (a flood, a big transfer): the allocator would
    /// keep its freed buffers resident (glibc trims the heap top only past 32 MiB free here).
    func releaseMemoryIfHeavy() {
        let moved = onConnection { $0.bytesIn.addingSaturating($0.bytesOut) }
        guard moved > Self.heavySessionBytes, context.budgetCounters.claimTrim() else { return }
        let counters = context.budgetCounters
        _ = reactor.scheduleTimer(after: Self.trimDelay) { _ in
            counters.trimDone()
            Posix.releaseFreeMemory()
        }
    }

    /// Answers a GetPeers from the shared sample, if the peer's answer budget allows.
    func answerGetPeers() throws {
        let now = reactor.now()
        guard budgets?.answers.takeOne(now: now) ?? true else {
            context.budgetCounters.update { $0.getPeersIgnored += 1 }
            budgets?.ignoredGetPeers += 1
            if (budgets?.ignoredGetPeers ?? 0) > SessionBudgets.maximumIgnoredGetPeers {
                context.logger.log(
                    .warning, "peer.get_peers_flood", peer: ip.description, reason: .protocolViolation,
                    [("ignored", .int(SessionBudgets.maximumIgnoredGetPeers + 1))], origin: .outsider)
                budgets?.stopReading = true
                close(reason: .protocolViolation)
            }
            return
        }
        budgets?.ignoredGetPeers = 0
        let limit = context.configuration.peerListLimit
        let (sample, refreshed) = context.addressSample.addresses(
            interval: context.configuration.addressShareInterval, now: now
        ) {
            // Nobody's own address is left out here; each answer leaves out its asker below.
            context.manager.onLoop(()) { manager, _ in manager.addressesToShare(excluding: Self.nobody) }
        }
        if refreshed { context.budgetCounters.update { $0.addressSampleRefreshes += 1 } }
        var answer: [SocketAddress] = []
        answer.reserveCapacity(min(sample.count, limit))
        for address in sample where answer.count < limit && PeerIP(address.ip) != ip { answer.append(address) }
        try send(.peerList(answer))
    }

    /// An IP no peer has (0.0.0.0), for a sample that leaves nobody out.
    static let nobody = PeerIP(IPAddress.v4(0))

    /// At most this many addresses of one PeerList are learned (a random sample of a longer
    /// one): learning costs 1–2 µs an address on the reactor, and several peers' answers can
    /// arrive in one loop pass (4 answers of 1,000 held passes of 5–10 ms at a full book).
    static let maximumLearnedPerList = 256

    /// The addresses of a PeerList that are learned: at most `maximumLearnedPerList`, and of
    /// those, what the peer's token bucket lets through (in a session; a refusing node's one
    /// list before the handshake has the per-list bound only).
    func admitLearned(_ addresses: [SocketAddress]) -> [SocketAddress] {
        var offered = addresses
        if offered.count > Self.maximumLearnedPerList {
            // A partial Fisher-Yates with a fast generator: the system one is a getrandom(2)
            // per number, and shuffling a 1,000-entry list that way cost ~2 ms of a pass.
            var generator = FastRandom()
            for index in 0..<Self.maximumLearnedPerList {
                offered.swapAt(index, Int.random(in: index..<offered.count, using: &generator))
            }
            offered.removeLast(offered.count - Self.maximumLearnedPerList)
        }
        guard var bucket = budgets?.addresses else { return offered }
        let granted = bucket.take(offered.count, now: reactor.now())
        budgets?.addresses = bucket
        if granted < offered.count {
            context.budgetCounters.update { $0.addressesRateLimited += offered.count - granted }
            offered.removeLast(offered.count - granted)
        }
        return offered
    }
}
