import Glibc

extension ReasonCode {
    /// The one mapping from an errno to a reason code (INTERFACE.md). Errors with no specific
    /// code become `dial_error`.
    public init(classifyingErrno code: Int32) {
        switch code {
        case ECONNREFUSED: self = .connectionRefused
        case ETIMEDOUT: self = .timeout
        case ECONNRESET, EPIPE: self = .connectionReset
        case ECONNABORTED: self = .connectionAborted
        case ENOTCONN: self = .notConnected
        case EADDRNOTAVAIL, EADDRINUSE: self = .addrNotAvailable
        case ENETUNREACH, ENETDOWN: self = .networkUnreachable
        case EHOSTUNREACH, EHOSTDOWN: self = .noRouteToHost
        default: self = .dialError
        }
    }
}

extension SyscallError {
    /// This error's reason code.
    public var reason: ReasonCode { ReasonCode(classifyingErrno: errno) }
}
