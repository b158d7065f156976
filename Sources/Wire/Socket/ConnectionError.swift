/// Why a socket operation failed or a connection ended. Each case maps to one reason code.
public enum ConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed; the errno decides the reason code.
    case syscall(SyscallError)
    /// A deadline passed (`operation` names what was waited for, e.g. `"connect"`).
    case timedOut(operation: String)
    /// The peer broke the framing: an oversized length, or a close inside a frame.
    case frame(FrameError)
    /// The peer did not read fast enough: more than the limit stayed buffered for it.
    case slowPeer(buffered: Int)
    /// This side closed the connection.
    case closed
    /// The reactor shut down.
    case reactorStopped

    /// The reason code for logs, metrics and Disconnect messages (INTERFACE.md).
    public var reason: ReasonCode {
        switch self {
        case .syscall(let error): return error.errno == Posix.shutdownErrno ? .shutdown : error.reason
        case .timedOut: return .timeout
        case .frame(.oversized): return .protocolViolation
        case .frame(.truncated): return .remoteClosed
        case .slowPeer: return .slowPeer
        case .closed, .reactorStopped: return .shutdown
        }
    }

    public var description: String {
        switch self {
        case .syscall(let error): return error.description
        case .timedOut(let operation): return "\(operation) timed out"
        case .frame(let error): return error.description
        case .slowPeer(let buffered): return "peer is not reading (\(buffered) bytes buffered)"
        case .closed: return "connection closed"
        case .reactorStopped: return "reactor stopped"
        }
    }
}
