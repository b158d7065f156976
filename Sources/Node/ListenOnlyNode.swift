import Diagnostics
import Wire

/// The node as far as the Wire layer goes: it listens, logs every connection and the
/// messages it receives, and shuts down cleanly on SIGINT/SIGTERM.
struct ListenOnlyNode {
    let options: RunOptions

    /// Runs until a signal; returns the exit status.
    func run() async -> Int32 {
        let logger = Logger(minimumLevel: options.logLevel, format: options.logFormat)
        defer { logger.flush() }
        Posix.ignoreBrokenPipe()
        let reactor = Reactor.shared
        let listener: Listener
        do {
            listener = try Listener(bindingTo: options.listen, reactor: reactor)
        } catch {
            logger.log(.error, "node.listen_failed", reason: error.reason.rawValue, [("error", .string("\(error)"))])
            logger.flush()
            Posix.writeLine(
                Posix.standardError,
                "meshnode: cannot listen on \(options.listen): \(error); choose another --listen HOST:PORT")
            return 1
        }
        logger.log(.info, "node.started", [("listen", .string("\(listener.localAddress)"))])
        let watcher = SignalWatcher()
        await withTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: reactor) {
                var signals = watcher.signals.makeAsyncIterator()
                if let number = await signals.next() {
                    logger.log(.info, "node.stopping", [("signal", .int(Int(number)))])
                    await listener.close()
                }
                // A second signal exits at once.
                if await signals.next() != nil { Posix.exitImmediately(130) }
            }
            group.addTask(executorPreference: reactor) {
                await acceptLoop(listener, logger: logger)
            }
            await group.next()
            group.cancelAll()
        }
        watcher.cancel()
        logger.log(.info, "node.stopped")
        return 0
    }

    private func acceptLoop(_ listener: Listener, logger: Logger) async {
        await listener.setEventHandler { event in
            switch event {
            case .exhausted(let error):
                logger.log(.error, "listener.exhausted", [("error", .string("\(error)"))])
            case .recovered(let failures):
                logger.log(.info, "listener.recovered", [("failures", .int(failures))])
            case .failed(let error):
                logger.log(.warning, "listener.accept_failed", [("error", .string("\(error)"))])
            }
        }
        await withDiscardingTaskGroup { group in
            while let connection = try? await listener.accept() {
                group.addTask(executorPreference: listener.reactor) {
                    await serve(connection, logger: logger)
                }
            }
            group.cancelAll()
        }
    }

    private func serve(_ connection: Connection, logger: Logger) async {
        let peer = "\(connection.remoteAddress)"
        logger.log(.info, "peer.accepted", peer: peer)
        var reason = ReasonCode.remoteClosed
        do {
            for try await frame in connection.frames {
                do {
                    let message = try Message.decode(frame.body)
                    logger.log(.debug, "peer.message", peer: peer, [("kind", .string("\(message.kind)"))])
                } catch {
                    logger.log(
                        .warning, "peer.bad_message", peer: peer, reason: ReasonCode.protocolViolation.rawValue,
                        [("error", .string("\(error)"))])
                }
            }
        } catch let error as ConnectionError {
            reason = error.reason
        } catch {
            reason = .shutdown
        }
        await connection.close()
        logger.log(.info, "peer.disconnected", peer: peer, reason: reason.rawValue)
    }
}
