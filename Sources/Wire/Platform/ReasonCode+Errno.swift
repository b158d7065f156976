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
        // A `prohibit` route or a local firewall rule (REJECT with admin-prohibited, OUTPUT DROP).
        case EACCES, EPERM: self = .networkUnreachable
        default: self = .dialError
        }
    }
}

extension SyscallError {
    /// This error's reason code. `connect` to a well-formed address fails with EINVAL only
    /// on a `blackhole` route: the network is unreachable by the host's own routing table.
    public var reason: ReasonCode {
        if errno == EINVAL && operation.hasPrefix("connect") { return .networkUnreachable }
        return ReasonCode(classifyingErrno: errno)
    }
}
