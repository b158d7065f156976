import Glibc

extension Posix {
    /// The first `maximumBytes + 1` bytes of the file at `path` at most (one more than allowed,
    /// so the caller can tell "too large" from "exactly the limit"); nil if it does not exist.
    /// Reads until end of file rather than trusting st_size, which is 0 for procfs files, and
    /// never more than the bound, whatever the path names (`/dev/zero`, a FIFO that never ends).
    /// Opened non-blocking, so a FIFO in a file's place cannot hang the node: with no writer it
    /// reads as empty, with a writer that sends nothing it fails (EAGAIN) at once.
    public static func readFile(_ path: String, maximumBytes: Int) throws(SyscallError) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SyscallError("open(\(path))", errno: errno)
        }
        defer { Glibc.close(fd) }
        let limit = max(0, maximumBytes) + 1
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(limit, 64 << 10))
        while result.count < limit {
            let wanted = min(chunk.count, limit - result.count)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw SyscallError("read(\(path))", errno: errno) }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }
}
