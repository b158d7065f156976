import Foundation

@testable import Wire

extension NodeProcess {
    /// The log events named `event` about `peer` (an IP or HOST:PORT prefix).
    func events(_ event: String, peer: String? = nil) -> [[String: Any]] {
        logEvents(in: log, named: event, peer: peer)
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
///
/// posix_spawn with output to files and `waitpid` polling, not Foundation's `Process`: its
/// reaping was seen to miss a child that exited while leaving grandchildren running (the
/// testbed's nodes), and pipes would stay open as long as any grandchild held them.
func runTool(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws
    -> (Int32, String, String)
{
    let base = NSTemporaryDirectory() + "meshnode-tool-\(UInt32.random(in: 0...UInt32.max))"
    defer { for suffix in [".out", ".err"] { unlink(base + suffix) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw SyscallError("posix_spawn(\(executable))", errno: spawned) }
    var status: Int32 = 0
    let deadline = ContinuousClock.now + timeout
    while waitpid(pid, &status, WNOHANG) == 0 {
        if ContinuousClock.now >= deadline {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            break
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
    let read = { (path: String) in String(decoding: (try? Posix.readFile(path)) ?? [], as: UTF8.self) }
    return (exitStatus, read(base + ".out"), read(base + ".err"))
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

/// True when this test binary (and so the node binary beside it) is built with
/// AddressSanitizer, whose shadow memory and quarantine make RSS figures meaningless.
let addressSanitizerInUse: Bool = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil

/// Whether this test process (and so the node binary it runs, built the same way) is under
/// ThreadSanitizer: 5–20 times slower, too slow for tests whose attack is bounded in time.
let threadSanitizerInUse: Bool = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil
