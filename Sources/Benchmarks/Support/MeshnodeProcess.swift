import Wire

/// A release `meshnode` process started by a scenario: its P2P and debug addresses, its data
/// directory, and a stop that does not block the reactor thread.
struct MeshnodeProcess: Sendable {
    let child: ChildProcess
    let listen: SocketAddress
    let debug: SocketAddress
    let directory: String

    /// `<directory of this executable>/meshnode`, or an error naming what to build.
    static func binary() throws -> String {
        guard let executable = ChildProcess.currentExecutable() else { throw BenchError("cannot find this executable") }
        let binary = String(executable[..<(executable.lastIndex(of: "/") ?? executable.endIndex)]) + "/meshnode"
        guard (try? Posix.readFile(binary, maximumBytes: 1)) != nil else {
            throw BenchError("no \(binary): swift build -c release --product meshnode")
        }
        return binary
    }

    /// Starts `meshnode run` listening on `ip:7071`, its debug endpoint on `ip:7070`, data in
    /// `directory` (stderr to `directory/node.log`). The node stops when this process dies
    /// (`MESHNODE_PARENT_PID`), even if it is killed outright.
    static func start(binary: String, ip: IPAddress, directory: String, _ arguments: [String]) throws
        -> MeshnodeProcess
    {
        let listen = SocketAddress(ip: ip, port: 7071)
        let debug = SocketAddress(ip: ip, port: 7070)
        try Posix.makeDirectories(directory)
        let child = try ChildProcess.spawn(
            binary,
            ["run", "--listen", listen.description, "--debug-listen", debug.description, "--data-dir", directory]
                + arguments,
            standardError: directory + "/node.log", ownProcessGroup: true,
            environment: ["MESHNODE_PARENT_PID=\(ChildProcess.currentID)"])
        return MeshnodeProcess(child: child, listen: listen, debug: debug, directory: directory)
    }

    /// Waits until the debug endpoint answers; false after `timeout` seconds.
    func waitUntilUp(timeout: Double = 20) async -> Bool {
        await BenchNodes.waitUntil(timeout: timeout, interval: 0.05) {
            await DebugHTTP.get(debug, "/health") != nil
        } != nil
    }

    /// SIGTERM, once (a second one would make the node exit at once, unsaved: a graceful
    /// shutdown tells peers and saves the book and anchors), then SIGKILL after
    /// `grace` seconds. Polls instead of waiting in `waitpid`, which would block the reactor.
    func stop(grace: Double = 5) async {
        child.signal(ChildProcess.terminateSignal)
        let start = now()
        while child.isRunning() {
            if now() - start > grace {
                child.signal(ChildProcess.killSignal)
                _ = child.waitForExit(upTo: .seconds(1))
                return
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops many at once (one grace period for all).
    static func stop(_ processes: [MeshnodeProcess], grace: Double = 5) async {
        await withTaskGroup(of: Void.self) { group in
            for process in processes { group.addTask { await process.stop(grace: grace) } }
        }
    }
}
