import Actors
import Diagnostics
import Wire

/// `meshnode`: see `meshnode --help` and docs/operations.md.
@main
enum NodeMain {
    static func main() async {
        let command: Command
        do {
            command = try Command.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            Posix.writeLine(Posix.standardError, "meshnode: \(error)")
            Posix.exitImmediately(2)
        }
        switch command {
        case .help:
            Posix.writeLine(Posix.standardOutput, Command.usage)
        case .version:
            Posix.writeLine(Posix.standardOutput, "meshnode \(Command.versionString)")
        case .status(let url, let interval):
            // The client commands block on their one request: no reactor is started for them.
            if let interval {
                Posix.exitImmediately(StatusCommand.watch(url: url, interval: interval))
            }
            Posix.exitImmediately(StatusCommand.run(url: url))
        case .testnet(let testnet):
            // Synchronous, on the main thread: the nodes' parent-death signal follows the
            // thread that spawned them, and this one lives until the end.
            Posix.exitImmediately(testnet.run())
        case .diagnose(let url):
            Posix.exitImmediately(DiagnoseCommand.run(url: url))
        case .why(let ip, let url):
            Posix.exitImmediately(WhyCommand.run(ip: ip, url: url))
        case .control(let control):
            Posix.exitImmediately(control.run())
        case .run(let options):
            // main is MainActor-isolated: hand the node to a task that prefers the reactor.
            let status = await Task(executorPreference: Reactor.shared) { await run(options) }.value
            Posix.exitImmediately(status)
        }
    }

    static func run(_ options: RunOptions) async -> Int32 {
        Posix.ignoreBrokenPipe()
        Posix.tuneAllocatorForBuffers()
        // The redaction key comes first: the logger and the report writer take it when made.
        let keyWarning = installRedactionKey(dataDirectory: options.node.resolvedDataDirectory)
        let logger = Logger(minimumLevel: options.logLevel, format: options.logFormat)
        if let keyWarning { logger.log(.warning, "redaction.key_unavailable", [("error", .string(keyWarning))]) }
        defer { logger.flush() }
        // Started by `meshnode testnet`: stop when it does, even if it is killed outright.
        if let parent = Posix.environment("MESHNODE_PARENT_PID").flatMap({ Int32($0) }),
            !ChildProcess.terminateWithParent(expectedParent: parent)
        {
            Posix.writeLine(Posix.standardError, "meshnode: the testnet that started this node has exited")
            return 1
        }
        let configuration = options.node
        // Host names are looked up once the node runs, off the reactor (NamedPeerResolver).
        let resolver = {
            var resolver = NamedPeerResolver(
                names: options.namedPeers, logger: logger, firstWait: max(configuration.tick, .seconds(1)))
            resolver.dialable = NamedPeerResolver.dialable(for: configuration)
            return resolver
        }()
        let node: MeshNode
        do {
            node = try MeshNode(configuration: configuration, logger: logger)
        } catch {
            logger.flush()
            Posix.writeLine(Posix.standardError, "meshnode: \(error)")
            return error.exitStatus
        }
        let watcher = SignalWatcher()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await node.run() }
            group.addTask {
                // The binary has no application: payloads are taken (counted in /metrics when
                // they arrive) and dropped, so every peer's receive budget drains.
                for await _ in node.payloads {}
            }
            if !options.namedPeers.isEmpty {
                // Returns only when cancelled, after the node has stopped.
                group.addTask { await resolver.run(node: node) }
            }
            group.addTask {
                var received = 0
                for await number in watcher.signals {
                    received += 1
                    if received == 1 {
                        logger.log(.info, "node.stopping", [("signal", .int(Int(number)))])
                        node.requestShutdown()
                    } else {
                        // A second signal exits at once.
                        logger.flush()
                        Posix.exitImmediately(130)
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
        watcher.cancel()
        return 0
    }

    /// Loads (or creates) `<data-dir>/.redact-key` and installs it for every redactor. On
    /// failure redaction still hides IPs, with a per-process key: tags then hold for this run
    /// only. Returns the reason of a failure, to be logged.
    static func installRedactionKey(dataDirectory: String) -> String? {
        do {
            try? Posix.makeDirectories(dataDirectory)
            Redactor.install(try RedactionKey.loadOrCreate(dataDirectory: dataDirectory))
            return nil
        } catch {
            Redactor.install(.random())
            return error.description
        }
    }
}
