/// One frame's body: the bytes after the 4-byte big-endian length prefix.
///
/// Frames of one read cycle share one storage buffer, so a `Frame` is a slice, not a copy.
public struct Frame: Sendable, Equatable {
    /// The body bytes (the message kind is the first of them).
    public var body: ArraySlice<UInt8>

    public init(body: ArraySlice<UInt8>) {
        self.body = body
    }

    public init(_ bytes: [UInt8]) {
        self.body = bytes[...]
    }

    /// Bytes of the length prefix.
    public static let headerSize = 4
    /// The default maximum body size of a peer connection (4 MiB).
    public static let defaultMaximumSize = 4 * 1024 * 1024
    /// The maximum body size of the echo benchmark (16 MiB, ../shared/bench/WORKLOADS.md).
    public static let benchmarkMaximumSize = 16 * 1024 * 1024
}

/// Why a byte stream is not a valid sequence of frames.
public enum FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A header announced more than the maximum; raised before any of the body is buffered.
    case oversized(length: UInt32, maximum: Int)
    /// The stream ended inside a frame (`have` of `need` bytes of it had arrived).
    case truncated(have: Int, need: Int)

    public var description: String {
        switch self {
        case .oversized(let length, let maximum): return "frame of \(length) bytes exceeds the maximum of \(maximum)"
        case .truncated(let have, let need): return "stream ended inside a frame (\(have) of \(need) bytes)"
        }
    }
}
