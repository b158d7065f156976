import Dispatch
import Wire

/// Writes log events as JSON lines (or text) to standard error, off the caller's thread:
/// formatting happens on the caller, the write on a serial queue, so a slow terminal or a
/// full pipe never stalls the reactor.
public final class Logger: Sendable {
    /// The output format.
    public enum Format: String, Sendable {
        case json, text
    }

    public let minimumLevel: LogLevel
    public let format: Format
    private let queue = DispatchQueue(label: "meshnode.log")
    private let descriptor: Int32
    /// Peer addresses in the `peer` field are redacted unless MESHNODE_DEBUG_PUBLIC_PEERS=1.
    public let redactor: Redactor

    /// A logger writing to standard error; the format defaults to text on a terminal.
    public init(
        minimumLevel: LogLevel = .info, format: Format? = nil, descriptor: Int32 = Posix.standardError,
        redactor: Redactor = .fromEnvironment
    ) {
        self.minimumLevel = minimumLevel
        self.redactor = redactor
        self.descriptor = descriptor
        self.format = format ?? (Posix.isTerminal(descriptor) ? .text : .json)
    }

    /// Logs `event` at `level` if the level is enabled.
    public func log(
        _ level: LogLevel, _ event: String, peer: String? = nil, reason: String? = nil,
        _ fields: [(String, LogEvent.Value)] = []
    ) {
        guard level >= minimumLevel else { return }
        write(LogEvent(level: level, event: event, peer: peer, reason: reason, fields: fields))
    }

    /// Writes a prepared event (the level filter still applies).
    public func write(_ event: LogEvent) {
        guard event.level >= minimumLevel else { return }
        var event = event
        event.peer = event.peer.map(redactor.redact)
        let line = Array(((format == .json ? event.jsonLine() : event.textLine()) + "\n").utf8)
        let descriptor = descriptor
        queue.async {
            line.withUnsafeBytes { _ = Posix.writeAll(descriptor, $0) }
        }
    }

    /// Waits until every event logged so far has been written.
    public func flush() {
        queue.sync {}
    }
}

extension Logger {
    /// A logger that writes nothing (tests, benchmarks).
    public static var silent: Logger { Logger(minimumLevel: .error, format: .json, descriptor: -1) }
}
