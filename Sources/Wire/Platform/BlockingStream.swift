import Glibc

/// A TCP connection for a short-lived client (the `meshnode` CLI talking to a node's debug
/// endpoint): blocking calls, each bounded by a deadline, no reactor and no tasks.
///
/// The socket stays non-blocking; every call waits with `poll` until it can make progress or
/// its deadline (on `CLOCK_MONOTONIC`, ``Posix/monotonicNanoseconds()``) passes, which throws
/// ``SyscallError`` with `ETIMEDOUT` (reason `timeout`). Owning and noncopyable: the
/// descriptor is closed exactly once, when the value ends.
public struct BlockingStream: ~Copyable {
    private let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        Posix.close(fd)
    }

    /// Connects to `remote`, waiting until `deadline` at most.
    public static func connect(to remote: SocketAddress, deadline: UInt64) throws(SyscallError) -> BlockingStream {
        let fd = try Posix.tcpSocket(family: remote.family)
        let stream = BlockingStream(fd: fd)
        if case .wouldBlock = try Posix.connect(fd, to: remote) {
            try stream.wait(for: Int16(POLLOUT), until: deadline, operation: "connect")
            let code = try Posix.pendingError(fd)
            if code != 0 { throw SyscallError("connect", errno: code) }
        }
        return stream
    }

    /// Sends every byte of `bytes`.
    public func sendAll(_ bytes: [UInt8], deadline: UInt64) throws(SyscallError) {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(SyscallError) in
                    try Posix.send(fd, from: UnsafeRawBufferPointer(rebasing: raw[offset...]))
                }
            }
            switch try result.get() {
            case .processed(let count): offset += count
            case .wouldBlock: try wait(for: Int16(POLLOUT), until: deadline, operation: "send")
            }
        }
    }

    /// Up to `limit` bytes as soon as some arrive; empty at the end of the stream.
    public func receive(upTo limit: Int, deadline: UInt64) throws(SyscallError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max(1, limit))
        while true {
            let result = buffer.withUnsafeMutableBytes { raw in
                Result { () throws(SyscallError) in try Posix.receive(fd, into: raw) }
            }
            switch try result.get() {
            case .processed(let count): return Array(buffer.prefix(count))
            case .wouldBlock: try wait(for: Int16(POLLIN), until: deadline, operation: "recv")
            }
        }
    }

    /// Waits until `events` are ready (errors and hang-ups count as ready: the next call
    /// reports them) or throws `ETIMEDOUT` once `deadline` has passed.
    private func wait(for events: Int16, until deadline: UInt64, operation: String) throws(SyscallError) {
        while true {
            let now = Posix.monotonicNanoseconds()
            guard now < deadline else { throw SyscallError(operation, errno: ETIMEDOUT) }
            // Round up so that a wait never ends just before its deadline and spins.
            let milliseconds = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = Glibc.poll(&entry, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && Glibc.errno != EINTR { throw SyscallError("poll", errno: Glibc.errno) }
        }
    }
}
