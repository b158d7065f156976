import Diagnostics
import Wire

/// `meshnode testnet --nodes N`: N nodes on consecutive loopback IPs (127.0.0.2, .3, … by
/// default; no root needed on Linux, where all of 127/8 is local), each with its own data dir,
/// P2P and debug port and log file, started lowest IP first and each given every earlier node
/// as `--peer`, so every pair is dialed once, by its higher IP (INTERFACE.md, direction), at
/// start: the mesh forms at once instead of after cooldowns. Each node is also given every
/// other node's debug endpoint as `--mesh-sibling`, so any node's dashboard draws the whole
/// testnet as a graph. Stops every node on Ctrl-C,
/// SIGTERM or SIGHUP; the nodes also get SIGTERM if this process is killed outright.
struct TestnetCommand: Equatable {
    var nodes: Int
    var dataDirectory = "./meshnode_testnet"
    /// The first node's IP; node k (from 1) listens on this IP plus k − 1.
    var baseIP: UInt32 = 0x7F00_0002
    var tick = "0.5"
    /// How long to wait for the full mesh before saying it is not there (the nodes keep running).
    var readyTimeout: Duration = .seconds(30)

    static let nodesRange: ClosedRange<Int> = 2...64
    static let p2pPort: UInt16 = 7071
    static let debugPort: UInt16 = 7070

    /// Parses the arguments after `testnet`.
    static func parse(_ arguments: ArraySlice<String>) throws(Command.UsageError) -> TestnetCommand {
        func fail(_ why: String) -> Command.UsageError {
            Command.UsageError(description: "testnet: \(why) (see meshnode --help)")
        }
        var arguments = arguments
        var command = TestnetCommand(nodes: 0)
        while let flag = arguments.popFirst() {
            guard let value = arguments.popFirst() else { throw fail("\(flag) needs a value") }
            switch flag {
            case "--nodes": command.nodes = try Command.count("--nodes", value, in: nodesRange)
            case "--data-dir":
                guard !value.isEmpty else { throw fail("--data-dir needs a path") }
                command.dataDirectory = value
            case "--base-ip":
                guard case .v4(let ip) = IPAddress(parsing: value), ip >> 24 == 127 else {
                    throw fail("--base-ip: expected an IPv4 loopback address (127.x.y.z), got '\(value)'")
                }
                command.baseIP = ip
            case "--tick":
                _ = try Command.seconds("--tick", value)
                command.tick = value
            case "--ready-timeout":
                command.readyTimeout = try Command.seconds("--ready-timeout", value)
            default: throw fail("unknown option '\(flag)'")
            }
        }
        guard command.nodes > 0 else { throw fail("--nodes N is required (\(nodesRange.lowerBound) to 64)") }
        // Every node's IP must stay inside 127/8 (and off 127.255.255.255, the broadcast).
        guard (command.baseIP & 0x00FF_FFFF) + UInt32(command.nodes) <= 0x00FF_FFFF, command.baseIP & 0xFF_FFFF != 0
        else {
            throw fail("--base-ip \(IPAddress.v4(command.baseIP)) leaves no room for \(command.nodes) nodes in 127/8")
        }
        return command
    }

    /// Node `index` (0-based): its IP, P2P and debug addresses, data dir.
    struct Node {
        let number: Int
        let ip: IPAddress
        let p2p: SocketAddress
        let debug: SocketAddress
        let directory: String
        var log: String { directory + "/node.log" }
        var debugURL: String { "http://\(debug)" }
    }

    func node(_ index: Int) -> Node {
        let ip = IPAddress.v4(baseIP &+ UInt32(index))
        return Node(
            number: index + 1, ip: ip, p2p: SocketAddress(ip: ip, port: Self.p2pPort),
            debug: SocketAddress(ip: ip, port: Self.debugPort), directory: "\(dataDirectory)/node\(index + 1)")
    }

    /// The command line of node `index`: every earlier (lower) node as `--peer`, so it dials
    /// them; limits that let everyone hold everyone (outbound slots for the lower nodes,
    /// inbound slots for the higher); a short tick and cooldown so a failure heals quickly.
    func arguments(_ index: Int) -> [String] {
        let me = node(index)
        let others = max(1, nodes - 1)
        var arguments = [
            "run", "--listen", me.p2p.description, "--debug-listen", me.debug.description, "--data-dir", me.directory,
            "--lan", "--tick", tick, "--cooldown", "1", "--min-outbound", String(others),
            "--max-peers", String(2 * others), "--log-format", "json",
        ]
        for earlier in 0..<index { arguments += ["--peer", node(earlier).p2p.description] }
        for other in 0..<nodes where other != index { arguments += ["--mesh-sibling", node(other).debug.description] }
        return arguments
    }

    /// Starts the nodes, reports the mesh, waits for a signal, stops them all. Runs on the main
    /// thread and must stay there: the nodes' parent-death signal follows the spawning thread.
    func run(output: (String) -> Void = { Posix.printFlushed($0) }) -> Int32 {
        guard let executable = ChildProcess.currentExecutable() else {
            output("meshnode testnet: cannot find this program's path (/proc/self/exe)")
            return 1
        }
        let latch = SignalLatch()
        defer { latch.cancel() }
        let started = Posix.monotonicNanoseconds()
        var children: [(Node, ChildProcess)] = []
        defer { Self.stop(children.map(\.1)) }
        output("meshnode testnet: \(nodes) nodes, data in \(dataDirectory)/node1…node\(nodes); Ctrl-C stops all")
        let parent = "MESHNODE_PARENT_PID=\(ChildProcess.currentID)"
        for index in 0..<nodes {
            let node = node(index)
            do {
                try Posix.makeDirectories(node.directory)
                let child = try ChildProcess.spawn(
                    executable, arguments(index), standardError: node.log, ownProcessGroup: true,
                    environment: [parent])
                children.append((node, child))
            } catch {
                output("meshnode testnet: cannot start node \(node.number): \(error)")
                return 1
            }
            output(
                "node \(node.number): p2p \(node.p2p)  debug \(node.debugURL)/  data \(node.directory)  log \(node.log)"
            )
            // The next node dials this one at once: it must be listening (a refused dial
            // means a cooldown), so wait until its endpoint answers.
            let child = children.last!.1
            var exited = false
            let answered = waitUntil(latch: latch, deadline: .seconds(10)) {
                exited = !child.isRunning()
                return exited || Self.health(node)
            }
            switch answered {
            case .signal: return 0
            case .done where !exited: break
            case .done, .timeout:
                output(
                    "meshnode testnet: node \(node.number) \(exited ? "exited" : "did not answer within 10 s"); "
                        + "see \(node.log)")
                return 1
            }
        }
        output("dashboard: \(node(0).debugURL)/ (the whole testnet as a graph; every node's page shows it)")
        let want = nodes - 1
        switch waitUntil(latch: latch, deadline: readyTimeout, { children.allSatisfy { Self.peers($0.0) >= want } }) {
        case .signal: return 0
        case .done:
            let seconds = Double(Posix.monotonicNanoseconds() - started) / 1e9
            output(
                "ready: full mesh, every node has \(want) peers (\(seconds.formatted(decimals: 1)) s); "
                    + "meshnode status --debug-url \(node(0).debugURL)")
        case .timeout:
            let counts = children.map { "node \($0.0.number): \(Self.peers($0.0))" }.joined(separator: ", ")
            output(
                "not ready after \(readyTimeout): \(counts) of \(want) peers; the nodes keep running; "
                    + "meshnode diagnose --debug-url URL says why")
        }
        // Until a signal: report a node that dies on its own.
        var reported = Set<Int32>()
        while latch.wait(upTo: .seconds(1)) == nil {
            for (node, child) in children where !reported.contains(child.pid) && !child.isRunning() {
                reported.insert(child.pid)
                output("node \(node.number) exited; see \(node.log)")
            }
        }
        output("stopping \(nodes) nodes…")
        return 0
    }

    enum WaitResult { case done, timeout, signal }

    /// Checks `condition` every 100 ms (sleeping on the signal latch in between) until it holds,
    /// a signal arrives, or `deadline` passes.
    func waitUntil(latch: SignalLatch, deadline: Duration, _ condition: () -> Bool) -> WaitResult {
        let end = ContinuousClock.now + deadline
        while true {
            if latch.received != nil { return .signal }
            if condition() { return .done }
            if ContinuousClock.now >= end { return .timeout }
            if latch.wait(upTo: .milliseconds(100)) != nil { return .signal }
        }
    }

    static func health(_ node: Node) -> Bool {
        guard let client = try? DebugClient(url: node.debugURL, timeout: .seconds(1)) else { return false }
        return (try? client.json("/health")) != nil
    }

    /// Connected peers of `node` (0 if it does not answer).
    static func peers(_ node: Node) -> Int {
        guard let client = try? DebugClient(url: node.debugURL, timeout: .seconds(1)),
            let debug = try? client.json("/api/p2p/debug")
        else { return 0 }
        return debug["connected_peers"]?.arrayValue?.count ?? 0
    }

    /// SIGTERM to every node at once (each shuts down in under 2 s: peers told, book saved),
    /// then reaps them; SIGKILL for any still running after 5 s.
    static func stop(_ children: [ChildProcess]) {
        for child in children { child.signal(ChildProcess.terminateSignal) }
        let end = ContinuousClock.now + .seconds(5)
        for child in children where !child.waitForExit(upTo: max(.zero, end - ContinuousClock.now)) {
            child.signal(ChildProcess.killSignal)
            _ = child.waitForExit(upTo: .seconds(5))
        }
    }
}
