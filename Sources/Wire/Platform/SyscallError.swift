/// A failed system call: which operation, and the errno it left.
///
/// Every wrapper in `Platform/` throws this one type, so a caller can always say what failed
/// and classify it into a reason code (`ReasonCode(classifying:)`).
public struct SyscallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operation that failed, e.g. `"connect"`.
    public var operation: String
    /// The errno value.
    public var errno: Int32

    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(operation): \(Posix.errorString(errno)) (errno \(errno))"
    }
}

/// The result of a non-blocking operation: "would block" is a value, not an error.
public enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

extension IOResult: Sendable where Value: Sendable {}
extension IOResult: Equatable where Value: Equatable {}
