/// Why bytes are not an acceptable HTTP request; each maps to a status code. After one of
/// these the connection is closed: the framing can no longer be trusted.
public enum HTTPParseError: Error, Sendable, Equatable {
    /// 400: not HTTP/1.1 syntax (RFC 9112), or framing that cannot be trusted.
    case malformed(String)
    /// 431 (RFC 6585 §5, Request Header Fields Too Large): the request line and header fields
    /// (or a chunked body's trailer fields) exceed the limit.
    case headerTooLarge(limit: Int)
    /// 413: the body (declared or chunked) exceeds the limit.
    case bodyTooLarge(limit: Int)
    /// 505: an HTTP major version other than 1.
    case unsupportedVersion(String)
    /// 501: a transfer coding other than chunked (RFC 9112 §6.1).
    case unsupportedTransferCoding(String)
    /// 417: an expectation other than `100-continue` (RFC 9110 §10.1.1).
    case expectationFailed(String)

    public var status: Int {
        switch self {
        case .malformed: return 400
        case .headerTooLarge: return 431
        case .bodyTooLarge: return 413
        case .unsupportedVersion: return 505
        case .unsupportedTransferCoding: return 501
        case .expectationFailed: return 417
        }
    }

    public var message: String {
        switch self {
        case .malformed(let reason): return "bad request: \(reason)"
        case .headerTooLarge(let limit): return "request header larger than \(limit) bytes"
        case .bodyTooLarge(let limit): return "request body larger than \(limit) bytes"
        case .unsupportedVersion(let version): return "HTTP version \(version) is not supported; use HTTP/1.1"
        case .unsupportedTransferCoding(let coding):
            return "transfer coding '\(coding)' is not supported; send Content-Length or chunked"
        case .expectationFailed(let expectation): return "expectation '\(expectation)' cannot be met"
        }
    }
}
