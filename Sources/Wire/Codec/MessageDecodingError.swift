/// Why a frame body is not a valid message. Every byte sequence decodes to a message or
/// to exactly one of these.
public enum MessageDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body was empty: no kind byte.
    case empty
    /// The kind byte names no message.
    case unknownKind(UInt8)
    /// The body ended inside `field`.
    case truncated(field: String)
    /// Bytes were left after the last field.
    case trailingBytes(count: Int)
    /// `field` announced a length over its limit.
    case tooLong(field: String, length: Int, maximum: Int)
    /// `field` held a value it may not hold (bad UTF-8, unknown address family, …).
    case invalidValue(field: String)

    public var description: String {
        switch self {
        case .empty: return "empty message"
        case .unknownKind(let kind): return "unknown message kind 0x\(String(kind, radix: 16))"
        case .truncated(let field): return "message truncated in \(field)"
        case .trailingBytes(let count): return "\(count) trailing bytes after the message"
        case .tooLong(let field, let length, let maximum): return "\(field) of \(length) exceeds \(maximum)"
        case .invalidValue(let field): return "invalid \(field)"
        }
    }
}
