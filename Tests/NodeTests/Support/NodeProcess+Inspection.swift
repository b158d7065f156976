import Foundation

@testable import Wire

extension NodeProcess {
    /// The node's log as JSON objects, one per line (lines that are not JSON are skipped).
    var logEvents: [[String: Any]] {
        log.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// The log events named `event` about `peer` (an IP or HOST:PORT prefix).
    func events(_ event: String, peer: String? = nil) -> [[String: Any]] {
        logEvents.filter { entry in
            entry["event"] as? String == event
                && (peer.map { (entry["peer"] as? String)?.hasPrefix($0) == true } ?? true)
        }
    }

    /// Resident memory now, KiB (from /proc; 0 once the process is gone).
    var residentKiB: Int {
        let status = (try? Posix.readFile("/proc/\(process.processIdentifier)/status")).map {
            String(decoding: $0, as: UTF8.self)
        }
        let line = status?.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
            ?? 0
    }

    /// CPU time used so far (user + system), seconds.
    var cpuSeconds: Double {
        guard let bytes = try? Posix.readFile("/proc/\(process.processIdentifier)/stat") else { return 0 }
        let text = String(decoding: bytes, as: UTF8.self)
        // Fields after the parenthesized command name; utime and stime are the 14th and 15th.
        guard let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Runs a helper program to its end with a bounded wait; returns (status, stdout, stderr).
func runTool(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws
    -> (Int32, String, String)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let (out, err) = (Pipe(), Pipe())
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Drain both pipes while the tool runs, so a chatty tool never blocks on a full pipe.
    async let output = readToEnd(out)
    async let errors = readToEnd(err)
    let deadline = ContinuousClock.now + timeout
    while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
    return (process.terminationStatus, await output, await errors)
}

/// Everything a pipe yields until its writer closes, read on a Dispatch thread (the read
/// blocks; the cooperative pool has only two threads here).
func readToEnd(_ pipe: Pipe) async -> String {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            try? pipe.fileHandleForReading.close()
            continuation.resume(returning: String(decoding: data, as: UTF8.self))
        }
    }
}

/// The repository's root (for scripts/ and Fuzz/).
let repositoryRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .path

extension NodeProcess {
    /// SIGKILL, and a bounded wait for the process to be gone (no cleanup runs in it).
    func killHard() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(2)) }
    }
}

extension NodeProcess {
    /// The first child of the started process (the node, when a wrapper runs it).
    var wrappedChild: pid_t? {
        let pid = process.processIdentifier
        guard let bytes = try? Posix.readFile("/proc/\(pid)/task/\(pid)/children") else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: " ").first.flatMap { pid_t($0) }
    }
}
