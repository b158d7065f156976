import Wire

/// Runs a scenario in a network namespace of its own (`unshare -n`): `lo` up, and 11.0.0.0/8
/// on it, so every 11.x.y.z is a local "public" address to bind and dial. The namespace ends
/// with the last process in it, so nothing is left to delete, even after a crash.
enum NetworkNamespace {
    /// The effective user id is 0 (`/proc/self/status`, the second `Uid:` field).
    static var isRoot: Bool {
        guard let bytes = try? Posix.readFile("/proc/self/status") else { return false }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Uid:") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return fields.count > 2 && fields[2] == "0"
        }
        return false
    }

    static func tool(_ candidates: [String]) -> String? {
        candidates.first { (try? Posix.readFile($0, maximumBytes: 1)) != nil }
    }

    /// The environment variable that tells the scenario inside whom to die with.
    static let parentVariable = "MESHNODE_BENCH_PARENT_PID"

    /// Runs `Benchmarks <scenario> <arguments> --report FILE` inside a new namespace and
    /// returns the report it writes to FILE. Throws ``BenchSkipped`` without root or tools.
    static func run(scenario: String, _ arguments: [String], timeout: Double) async throws -> BenchReport {
        guard isRoot else {
            throw BenchSkipped(
                "needs root (a network namespace with 11.0.0.0/8 on lo: run it as root, e.g. sudo; CI runs as root)")
        }
        guard let unshare = tool(["/usr/bin/unshare", "/bin/unshare"]),
            let ip = tool(["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"])
        else { throw BenchSkipped("needs unshare (util-linux) and ip (iproute2)") }
        guard let executable = ChildProcess.currentExecutable() else { throw BenchError("cannot find this executable") }
        let report = "/tmp/meshnode-\(scenario)-\(ChildProcess.currentID)-report.json"
        Posix.removeFile(report)
        let script = "\(ip) link set lo up && \(ip) addr add 11.0.0.1/8 dev lo && exec \"$0\" \"$@\""
        let child = try ChildProcess.spawn(
            unshare, ["-n", "/bin/sh", "-c", script, executable, scenario] + arguments + ["--report", report],
            environment: ["\(parentVariable)=\(ChildProcess.currentID)"])
        let started = now()
        while child.isRunning() {
            if now() - started > timeout {
                child.signal(ChildProcess.terminateSignal)
                try? await Task.sleep(for: .seconds(5))
                child.signal(ChildProcess.killSignal)
                _ = child.waitForExit(upTo: .seconds(5))
                throw BenchError("\(scenario) did not finish within \(Int(timeout)) s")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let bytes = try Posix.readFile(report) else {
            throw BenchError("\(scenario) ended without a report (its errors are above)")
        }
        Posix.removeFile(report)
        return try BenchReport(parsing: bytes)
    }

    /// Inside: die with the process that started us (even if it is killed outright).
    static func followParent() throws {
        guard let parent = Posix.environment(parentVariable).flatMap({ Int32($0) }) else { return }
        guard ChildProcess.terminateWithParent(expectedParent: parent) else {
            throw BenchError("the Benchmarks process that started this one has exited")
        }
    }
}
