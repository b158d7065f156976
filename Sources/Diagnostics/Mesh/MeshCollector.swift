import Wire

/// Collects the views of a node's siblings (`--mesh-sibling`: the debug endpoints of the other
/// nodes of its testnet) for `GET /api/p2p/mesh`.
///
/// Every sibling is asked at once, each under ``timeout``; the answers are kept for
/// ``cacheLifetime``, and a request that arrives while they are being fetched waits for that
/// fetch instead of starting another: however many pages poll the route, each sibling is asked
/// at most once per lifetime. A sibling that let a fetch run out its whole timeout (a frozen
/// process) rests for ``timeoutBackoff``: its last failure is reused instead of making every
/// request wait the timeout again. A sibling that stops answering is logged once
/// (`mesh.sibling_unreachable`, with why), and once more when it answers again
/// (`mesh.sibling_reachable`), not at every request.
///
/// Runs on the reactor (as the HTTP server's tasks do), whose clock it reads: a test's manual
/// clock drives both the fetch deadlines and the cache.
public actor MeshCollector {
    /// The siblings' debug endpoints, without repeats, at most ``maximumSiblings``.
    public nonisolated let siblings: [SocketAddress]
    /// The reactor the fetches run on and whose clock times them.
    public nonisolated let reactor: Reactor
    let logger: Logger?
    /// The whole exchange with one sibling (connect, request, answer).
    public nonisolated let timeout: Duration
    /// The most bytes of one sibling's answer body.
    public nonisolated let maximumBytes: Int
    /// How long answers are reused.
    public nonisolated let cacheLifetime: Duration
    /// How long a sibling that timed out is not asked again.
    public nonisolated let timeoutBackoff: Duration

    /// The reactor: the HTTP server's tasks and the fetches' streams run there.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        reactor.asUnownedSerialExecutor()
    }

    private var cached: (at: UInt64, results: [MeshGraph.Sibling])?
    private var fetching = false
    private var waiters: [CheckedContinuation<[MeshGraph.Sibling], Never>] = []
    /// Siblings whose last answer failed (logged when they went so).
    private var unreachable: Set<SocketAddress> = []
    /// Siblings that timed out: not asked again until `until` (reactor clock).
    private var resting: [SocketAddress: (until: UInt64, failure: MeshFetchError)] = [:]
    /// Completed rounds of asking every sibling (tests read it).
    public private(set) var rounds = 0

    /// The most siblings a node takes (`meshnode testnet` has at most 64 nodes).
    public static let maximumSiblings = 64

    /// A collector of `siblings`' views (repeats dropped, past ``maximumSiblings`` ignored).
    public init(
        siblings: [SocketAddress], reactor: Reactor, logger: Logger? = nil, timeout: Duration = .seconds(1),
        maximumBytes: Int = 512 << 10, cacheLifetime: Duration = .seconds(1), timeoutBackoff: Duration = .seconds(5)
    ) {
        var unique: [SocketAddress] = []
        for sibling in siblings where !unique.contains(sibling) && unique.count < Self.maximumSiblings {
            unique.append(sibling)
        }
        self.siblings = unique
        self.reactor = reactor
        self.logger = logger
        self.timeout = timeout
        self.maximumBytes = maximumBytes
        self.cacheLifetime = cacheLifetime
        self.timeoutBackoff = timeoutBackoff
    }

    /// Every sibling's view or why it is missing, in the order the siblings were given: fresh,
    /// or at most ``cacheLifetime`` old.
    public func views() async -> [MeshGraph.Sibling] {
        if let cached, reactor.now() &- cached.at < cacheLifetime.nanoseconds { return cached.results }
        if fetching {
            return await withCheckedContinuation { waiters.append($0) }
        }
        fetching = true
        let started = reactor.now()
        let rested = resting.filter { started < $0.value.until }.mapValues(\.failure)
        let results = await fetchAll(except: rested)
        fetching = false
        // A fetch cut short by cancellation (the node stopping) says nothing of the siblings.
        if !Task.isCancelled {
            cached = (reactor.now(), results)
            rounds += 1
            logChanges(results)
            for result in results where rested[result.debug] == nil {
                if case .failure(let error) = result.view, error.kind == .timedOut {
                    resting[result.debug] = (started &+ timeoutBackoff.nanoseconds, error)
                } else {
                    resting[result.debug] = nil
                }
            }
        }
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume(returning: results) }
        return results
    }

    /// Asks every sibling but those in `rested`, whose failure stands as it was.
    private func fetchAll(except rested: [SocketAddress: MeshFetchError]) async -> [MeshGraph.Sibling] {
        let (siblings, timeout, maximumBytes, reactor) = (siblings, timeout, maximumBytes, reactor)
        return await withTaskGroup(of: (Int, Result<MeshView, MeshFetchError>).self) { group in
            for (index, sibling) in siblings.enumerated() where rested[sibling] == nil {
                group.addTask(executorPreference: reactor) {
                    let view = await SiblingFetch.view(
                        from: sibling, timeout: timeout, maximumBytes: maximumBytes, reactor: reactor)
                    return (index, view)
                }
            }
            var views = [Result<MeshView, MeshFetchError>?](repeating: nil, count: siblings.count)
            for await (index, view) in group { views[index] = view }
            return siblings.indices.map { index in
                MeshGraph.Sibling(
                    debug: siblings[index],
                    view: views[index]
                        ?? .failure(rested[siblings[index]] ?? MeshFetchError(.unreachable, "cancelled")))
            }
        }
    }

    private func logChanges(_ results: [MeshGraph.Sibling]) {
        for result in results {
            switch result.view {
            case .success:
                guard unreachable.remove(result.debug) != nil else { continue }
                logger?.log(.info, "mesh.sibling_reachable", [("sibling", .string(result.debug.description))])
            case .failure(let error):
                guard unreachable.insert(result.debug).inserted else { continue }
                logger?.log(
                    .warning, "mesh.sibling_unreachable",
                    [("sibling", .string(result.debug.description)), ("error", .string(error.description))])
            }
        }
    }
}
