import CLinuxShims
import Glibc

/// Thin wrappers over the socket system calls: retry `EINTR`, return `.wouldBlock` for
/// `EAGAIN`, and throw ``SyscallError`` naming the operation for everything else.
///
/// This is the only place (with its siblings in `Platform/`) that imports Glibc.
public enum Posix {
    /// The text of an errno value.
    public static func errorString(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    @inline(__always)
    static func retrying<T: BinaryInteger>(_ operation: String, _ body: () -> T) throws(SyscallError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SyscallError(operation, errno: code)
        }
    }

    @inline(__always)
    static func retryingNonBlocking<T: BinaryInteger>(
        _ operation: String, _ body: () -> T
    ) throws(SyscallError) -> IOResult<T> {
        while true {
            let result = body()
            if result >= 0 { return .processed(result) }
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            throw SyscallError(operation, errno: code)
        }
    }

    /// Closes `fd`. `EINTR` is not retried: on Linux the descriptor is already gone.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// A new non-blocking, close-on-exec TCP socket for `family` (`AF_INET` or `AF_INET6`).
    static func tcpSocket(family: Int32) throws(SyscallError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        return try retrying("socket") { Glibc.socket(family, type, 0) }
    }

    static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) throws(SyscallError) {
        var value = value
        _ = try retrying("setsockopt") {
            Glibc.setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    static func setNoDelay(_ fd: Int32) throws(SyscallError) {
        try setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
    }

    static func setReuseAddress(_ fd: Int32) throws(SyscallError) {
        try setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
    }

    /// The pending error of a socket (`SO_ERROR`), 0 if none: how a non-blocking connect reports.
    static func pendingError(_ fd: Int32) throws(SyscallError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try retrying("getsockopt") { Glibc.getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) }
        return value
    }

    static func bind(_ fd: Int32, to address: SocketAddress) throws(SyscallError) {
        var storage = address.storage()
        let length = address.storageLength
        _ = try retrying("bind") {
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
            }
        }
    }

    static func listen(_ fd: Int32, backlog: Int32) throws(SyscallError) {
        _ = try retrying("listen") { Glibc.listen(fd, backlog) }
    }

    /// Starts a non-blocking connect: `.processed` when it completed at once, `.wouldBlock`
    /// while it is in progress (`EINPROGRESS`).
    static func connect(_ fd: Int32, to address: SocketAddress) throws(SyscallError) -> IOResult<Void> {
        var storage = address.storage()
        let length = address.storageLength
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        if result == 0 { return .processed(()) }
        let code = Glibc.errno
        if code == EINPROGRESS || code == EINTR { return .wouldBlock }
        throw SyscallError("connect", errno: code)
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket.
    static func accept(_ fd: Int32) throws(SyscallError) -> IOResult<(fd: Int32, peer: SocketAddress?)> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let result = try retryingNonBlocking("accept") {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cshim_accept4(fd, $0, &length, flags) }
            }
        }
        switch result {
        case .wouldBlock: return .wouldBlock
        case .processed(let newFD): return .processed((newFD, SocketAddress(storage: storage)))
        }
    }

    static func localAddress(_ fd: Int32) throws(SyscallError) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try retrying("getsockname") {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.getsockname(fd, $0, &length) }
            }
        }
        return SocketAddress(storage: storage)
    }

    /// Reads into `buffer`; `.processed(0)` is end of stream.
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SyscallError) -> IOResult<Int> {
        try retryingNonBlocking("recv") { Glibc.recv(fd, buffer.baseAddress, buffer.count, 0) }
    }

    /// Writes from `buffer` without ever raising SIGPIPE.
    static func send(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(SyscallError) -> IOResult<Int> {
        try retryingNonBlocking("send") { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    /// `SHUT_WR`: no more sends; the peer reads to the end and sees EOF.
    public static let shutdownWrite = Int32(SHUT_WR)

    /// Half-closes or fully shuts down a socket; errors are ignored (the peer may be gone).
    static func shutdown(_ fd: Int32, how: Int32 = Int32(SHUT_RDWR)) {
        _ = Glibc.shutdown(fd, how)
    }

    /// Nanoseconds on CLOCK_MONOTONIC: the reactor's time base.
    public static func monotonicNanoseconds() -> UInt64 {
        nanoseconds(of: CLOCK_MONOTONIC)
    }

    /// `clock`'s time in nanoseconds.
    static func nanoseconds(of clock: clockid_t) -> UInt64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

extension Posix {
    /// The errno reported for operations on a reactor that has shut down.
    public static let shutdownErrno: Int32 = ESHUTDOWN
    /// Errors of `accept` that mean "out of descriptors or memory": retry later, do not spin.
    static func isResourceExhaustion(_ code: Int32) -> Bool {
        code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
    }
    /// Errors of `accept` that concern only the one connection being accepted.
    static func isTransientAcceptError(_ code: Int32) -> Bool {
        code == ECONNABORTED || code == EPROTO || code == EPERM
    }
}

extension Posix {
    /// "fd -> target" for every open descriptor (diagnostics and leak reports in tests).
    public static func describeOpenDescriptors() -> [String] {
        var result: [String] = []
        for name in directoryEntries("/proc/self/fd") ?? [] {
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink("/proc/self/fd/\(name)", &target, 255)
            let text =
                length > 0 ? String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
            result.append("\(name) -> \(text)")
        }
        return result
    }
}

extension Posix {
    /// The most buffers one vectored send takes here (well under IOV_MAX).
    static let maximumVectoredBuffers = 64

    /// Writes `buffers` in order with one `sendmsg` (MSG_NOSIGNAL, so never SIGPIPE).
    static func send(_ fd: Int32, buffers: [UnsafeRawBufferPointer]) throws(SyscallError) -> IOResult<Int> {
        if buffers.count == 1 { return try send(fd, from: buffers[0]) }
        var vectors = buffers.map {
            iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)
        }
        return try vectors.withUnsafeMutableBufferPointer { (pointer) throws(SyscallError) -> IOResult<Int> in
            var header = msghdr()
            header.msg_iov = pointer.baseAddress
            header.msg_iovlen = pointer.count
            return try retryingNonBlocking("sendmsg") { Glibc.sendmsg(fd, &header, Int32(MSG_NOSIGNAL)) }
        }
    }
}
