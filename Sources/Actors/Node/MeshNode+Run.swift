import Diagnostics
import Wire

extension MeshNode {
    /// Runs the node until `shutdown()`: accepts peers, maintains the mesh, serves sessions.
    /// On shutdown every peer is told (Disconnect `shutdown`), the peer book is flushed, and
    /// this returns with no task or descriptor left behind.
    public func run() async {
        guard !started.isFired else { return }
        started.fire()
        writeCookie()
        logger.log(
            .info, "node.started",
            [("listen", .string(listenAddress.description)), ("chain_id", .string(configuration.chainID))])
        var anchors: [SocketAddress] = []
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask { await self.stopRequested.wait() }
            outer.addTask(executorPreference: reactor) { await self.serve() }
            await outer.next()
            // Before the table closes them: the outbound peers to dial first next time.
            anchors = await manager.anchorCandidates()
            // Stop: refuse new peers, tell every peer, give them a moment to hang up.
            await listener.close()
            await debugListener?.close()
            let closing = await manager.livePeers
            await manager.shutdown()
            // Each session ends when its peer hangs up or its linger (1 s) runs out: wake when
            // the last one has, or after the linger at most (a timer, not a poll).
            await Self.waitUntilFinished(closing, upTo: PeerConnection.linger, on: reactor)
            outer.cancelAll()
        }
        saveAnchors(anchors)
        await saveBook()
        removeCookie()
        logger.log(.info, "node.stopped")
        finished.fire()
    }

    /// Returns once every one of `peers` has finished its session, or after `limit`.
    static func waitUntilFinished(_ peers: [PeerConnection], upTo limit: Duration, on reactor: Reactor) async {
        guard !peers.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for peer in peers { await peer.sessionFinished.wait() } }
            group.addTask { try? await reactor.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Session tasks running now (0 after `run()` returns: none is left behind).
    public var activeSessionTasks: Int { sessionTasks.value }

    /// Asks `run()` to stop, without waiting (for a signal handler).
    public func requestShutdown() {
        stopRequested.fire()
    }

    /// Asks `run()` to stop and waits until it has (at most about 2 s).
    public func shutdown() async {
        stopRequested.fire()
        if started.isFired {
            await finished.wait()
        } else {
            await listener.close()
            await debugListener?.close()
        }
        startsContinuation.finish()
        application.channels.finish()
        manager.events.finish()
    }

    /// Accept loop, maintainer and sessions, until cancelled.
    private func serve() async {
        await withDiscardingTaskGroup { group in
            group.addTask(executorPreference: reactor) { await self.acceptLoop() }
            group.addTask(executorPreference: reactor) { await self.maintainerLoop() }
            if let debugListener {
                // A testnet node also draws its siblings' sessions (GET /api/p2p/mesh).
                let siblings = configuration.meshSiblings.filter { $0 != debugListener.localAddress }
                let routes = DebugRoutes(
                    source: self, control: self,
                    access: DebugAccess(hostNames: configuration.debugHostNames, cookie: Array(debugCookie.utf8)),
                    mesh: siblings.isEmpty ? nil : MeshCollector(siblings: siblings, reactor: reactor, logger: logger))
                group.addTask(executorPreference: reactor) {
                    await HTTPServer(listener: debugListener, handler: { await routes.handle($0) }).run()
                }
                logger.log(.info, "debug.listening", [("listen", .string(debugListener.localAddress.description))])
            }
            // Ends `starts` (and so every session) when serve() is cancelled, which run() does
            // after telling every peer why and waiting for them: not at the stop request itself,
            // which raced run()'s Disconnects (a session cancelled first closed without one).
            group.addTask(executorPreference: reactor) {
                await withTaskCancellationHandler {
                    await self.finished.wait()  // fires only after serve() is over: waits for the cancel
                } onCancel: {
                    self.startsContinuation.finish()
                }
                self.startsContinuation.finish()
            }
            for await start in starts {
                sessionTasks.withLock { $0 += 1 }
                group.addTask(executorPreference: reactor) {
                    await self.runSession(start)
                    self.sessionTasks.withLock { $0 -= 1 }
                }
            }
            group.cancelAll()
        }
    }

    private func acceptLoop() async {
        await listener.setEventHandler { [logger] event in
            switch event {
            case .exhausted(let error): logger.log(.error, "listener.exhausted", [("error", .string("\(error)"))])
            case .recovered(let failures): logger.log(.info, "listener.recovered", [("failures", .int(failures))])
            case .failed(let error): logger.log(.warning, "listener.accept_failed", [("error", .string("\(error)"))])
            }
        }
        while let connection = try? await listener.accept() {
            startsContinuation.yield(.inbound(connection))
        }
    }

    private func runSession(_ start: SessionStart) async {
        switch start {
        case .outbound(let peer, let established):
            let reason = await peer.runSession()
            if established { await manager.sessionEnded(peer, reason: reason) }
        case .inbound(let connection):
            let ip = PeerIP(connection.remoteAddress.ip)
            if let refusal = await manager.admitInbound(ip) {
                logger.log(
                    .info, "peer.refused", peer: connection.remoteAddress.description, reason: refusal.rawValue,
                    origin: .outsider)
                let peer = PeerConnection(connection: connection, direction: .inbound, id: 0, context: context)
                if refusal == .maxPeersReached {
                    // Full: still tell the newcomer whom else to try (as bitcoind answers getaddr).
                    let addresses = await manager.addressesToShare(excluding: ip)
                    try? await connection.send(.peerList(addresses))
                }
                await peer.close(reason: refusal)
                await peer.drain()
                return
            }
            let peer = PeerConnection(
                connection: connection, direction: .inbound, id: await manager.makeID(), context: context)
            do {
                try await peer.handshake()
            } catch {
                await manager.inboundFailed(ip, reason: error.reason)
                await peer.drain()
                return
            }
            // A session the tie-break (or shutdown) refuses is closed by the manager; it still
            // runs here until the peer hangs up, and reports its end like any other.
            await manager.established(peer)
            let reason = await peer.runSession()
            await manager.sessionEnded(peer, reason: reason)
        }
    }

    /// Dials `address` now. Returns nil once a session is established, else the reason
    /// (a skip reason if it was not attempted).
    @discardableResult
    public func connect(to address: SocketAddress, source: PeerSource = .direct, bypassCooldown: Bool = true) async
        -> ReasonCode?
    {
        if let skip = await manager.decideDial(address, source: source, bypassCooldown: bypassCooldown) {
            return skip
        }
        return await dial(address, source: source)
    }

    /// Connect and handshake for a dial `decideDial` allowed.
    func dial(_ address: SocketAddress, source: PeerSource) async -> ReasonCode? {
        let connection: Connection
        do {
            connection = try await Connection.connect(
                to: address, from: configuration.sourceIP, timeout: configuration.dialTimeout, reactor: reactor,
                options: configuration.connectionOptions)
        } catch {
            let reason = (error as? ConnectionError)?.reason ?? .shutdown
            await manager.dialFailed(address, source: source, reason: reason, handshake: false)
            return reason
        }
        let peer = PeerConnection(
            connection: connection, direction: .outbound, id: await manager.makeID(), context: context)
        do {
            try await peer.handshake()
        } catch {
            await manager.dialFailed(address, source: source, reason: error.reason, handshake: true)
            startsContinuation.yield(.outbound(peer, established: false))
            return error.reason
        }
        // One step from connecting to a session: no second dial or inbound admit fits between.
        let refusal = await manager.established(peer)
        if case .terminated = startsContinuation.yield(.outbound(peer, established: true)) {
            // Stopping: no task will run this session, so end it here.
            await peer.abort(reason: .shutdown)
            await manager.sessionEnded(peer, reason: .shutdown)
            return .shutdown
        }
        return refusal
    }

    /// Saves the outbound peers to dial first at the next start (a clean shutdown only).
    func saveAnchors(_ anchors: [SocketAddress]) {
        guard store != nil, !anchors.isEmpty else { return }
        do {
            try AnchorStore(dataDirectory: configuration.resolvedDataDirectory).save(anchors)
            logger.log(.info, "anchors.saved", [("peers", .string(anchors.map(\.description).joined(separator: " ")))])
        } catch {
            logger.log(.warning, "anchors.save_failed", [("error", .string("\(error)"))])
        }
    }

    func saveBook() async {
        guard let store else { return }
        let book = await manager.book
        write(.peerBook) { () throws(SyscallError) in try store.save(book) }
    }

    /// Runs one write of the node's files (blocking I/O: off the reactor), counts a failure,
    /// and logs a change between failing and fine.
    func write(_ file: FileWriteHealth.File, _ body: () throws(SyscallError) -> Void) {
        var failure: SyscallError?
        do {
            try body()
        } catch {
            failure = error
        }
        if let (level, event, fields) = fileWrites.withLock({ $0.record(file, error: failure) }) {
            logger.log(level, event, fields)
        }
    }
}
