import CLinuxShims
import Glibc

/// A child process started with posix_spawn (stdout to /dev/null, stderr inherited or to a file).
public struct ChildProcess: Sendable {
    public let pid: Int32

    /// Starts `path` with `arguments` (not including argv[0]). `standardError`: a file the
    /// child's stderr is appended to (created 0644) instead of ours. `ownProcessGroup`: the
    /// child leads a new process group, so a Ctrl-C at the terminal reaches only us and we
    /// decide how the child stops (one SIGTERM, not SIGINT and then ours).
    public static func spawn(
        _ path: String, _ arguments: [String], standardError: String? = nil, ownProcessGroup: Bool = false,
        environment extra: [String] = []
    ) throws(SyscallError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        if let standardError {
            posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if ownProcessGroup {
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var environmentCopy: [UnsafeMutablePointer<CChar>?] = []
        var cursor = environ
        while let entry = cursor.pointee {
            environmentCopy.append(strdup(entry))
            cursor += 1
        }
        environmentCopy += extra.map { strdup($0) }
        environmentCopy.append(nil)
        defer { for pointer in environmentCopy { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environmentCopy)
        guard result == 0 else { throw SyscallError("posix_spawn(\(path))", errno: result) }
        return ChildProcess(pid: pid)
    }

    /// The path of this process's executable.
    public static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// True until the child has exited (it is reaped by the first call that sees it gone).
    public func isRunning() -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Sends `number` (e.g. SIGTERM) without waiting.
    public func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Waits up to `timeout` for the child to exit (reaping it); true if it has. Polls every
    /// 10 ms: waitpid has no timeout, and a supervisor reaps a few children once, at the end.
    public func waitForExit(upTo timeout: Duration) -> Bool {
        let end = ContinuousClock.now + timeout
        while isRunning() {
            if ContinuousClock.now >= end { return false }
            usleep(10_000)
        }
        return true
    }

    /// SIGTERM, then waits for the exit.
    public func terminate() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}

extension ChildProcess {
    /// SIGTERM.
    public static let terminateSignal = SIGTERM
    /// SIGKILL.
    public static let killSignal = SIGKILL

    /// Asks the kernel to send this process SIGTERM when its parent dies (PR_SET_PDEATHSIG),
    /// so a supervisor killed with SIGKILL leaves no orphan. `expectedParent` closes the race
    /// with a parent that died before the call: returns false if it is already gone.
    /// The signal follows the parent *thread* that spawned us: spawn from a thread that lives
    /// as long as the supervisor (its main thread).
    public static func terminateWithParent(expectedParent: Int32) -> Bool {
        _ = cshim_set_parent_death_signal(SIGTERM)
        return getppid() == expectedParent
    }

    /// This process's id.
    public static var currentID: Int32 { getpid() }
}
