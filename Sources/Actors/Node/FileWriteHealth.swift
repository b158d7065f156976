import Diagnostics
import Wire

/// The node's own files (peer book, public reports) while a disk refuses them: ENOSPC, EIO,
/// a read-only remount. Each write that fails is counted; the log says when a file starts
/// failing and when it is written again, not once per tick. The old file stays in place
/// meanwhile (writes are atomic), so nothing already saved is lost.
struct FileWriteHealth: Sendable {
    /// The files, as named in logs and metrics.
    enum File: String, Sendable, CaseIterable {
        case peerBook = "peers.json"
        case reports = "public"

        /// The log event prefix.
        var event: String { self == .peerBook ? "peerbook.save" : "reports.write" }
    }

    /// Failed writes since start, by file.
    private(set) var failures: [File: Int] = [:]
    /// Failed writes since the last success, by file (absent: writing fine).
    private var failingSince: [File: Int] = [:]

    /// What to log after a write of `file` (nil `error`: it succeeded).
    mutating func record(_ file: File, error: SyscallError?) -> (LogLevel, String, [(String, LogEvent.Value)])? {
        guard let error else {
            guard let failed = failingSince.removeValue(forKey: file) else { return nil }
            return (.info, file.event + "_recovered", [("failed_writes", .int(failed))])
        }
        failures[file, default: 0] += 1
        failingSince[file, default: 0] += 1
        guard failingSince[file] == 1 else { return nil }
        return (
            .warning, file.event + "_failed",
            [
                ("error", .string("\(error)")), ("errno", .int(Int(error.errno))),
                ("note", .string("the previous file is kept; retried every tick, logged again when it succeeds")),
            ]
        )
    }
}
