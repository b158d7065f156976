import Dispatch
import Glibc

/// Delivers SIGINT/SIGTERM (or other signals) as an `AsyncStream`, with the default action
/// of each disabled while watched. Uses Dispatch sources, so no thread blocks on signals.
public final class SignalWatcher: @unchecked Sendable {
    // @unchecked Sendable: `sources` is written once in init; DispatchSource is thread-safe.
    /// SIGINT.
    public static let interrupt = SIGINT
    /// SIGTERM.
    public static let terminate = SIGTERM

    /// Each watched signal, as it arrives.
    public let signals: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    public init(_ numbers: [Int32] = [SIGINT, SIGTERM]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(8))
        signals = stream
        let queue = DispatchQueue(label: "meshnode.signals")
        sources = numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// Stops watching and restores the default actions.
    public func cancel() {
        for source in sources {
            source.cancel()
            signal(Int32(source.handle), SIG_DFL)
        }
    }
}

extension Posix {
    /// Ignores SIGPIPE process-wide (sends use MSG_NOSIGNAL; this covers everything else).
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Exits the process now with `status`, without running atexit handlers.
    public static func exitImmediately(_ status: Int32) -> Never {
        _exit(status)
    }

    /// Writes a line to standard output unbuffered (a pipe reader sees it at once).
    public static func printFlushed(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = Posix.writeFully(Posix.standardOutput, UnsafeRawBufferPointer($0)) }
    }
}
