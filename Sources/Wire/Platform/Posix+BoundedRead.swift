import Glibc

extension Posix {
    /// The first `maximumBytes + 1` bytes of the file at `path` at most (one more than allowed,
    /// so the caller can tell "too large" from "exactly the limit"); nil if it does not exist.
    /// Reads until end of file rather than trusting st_size, which is 0 for procfs files, and
    /// never more than the bound, whatever the path names (`/dev/zero`, a FIFO that never ends).
    public static func readFile(_ path: String, maximumBytes: Int) throws(SyscallError) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SyscallError("open(\(path))", errno: errno)
        }
        defer { Glibc.close(fd) }
        let limit = max(0, maximumBytes) + 1
        var result = [UInt8](repeating: 0, count: min(limit, 4096))
        var filled = 0
        while filled < limit {
            if filled == result.count {
                result.append(contentsOf: repeatElement(0, count: min(result.count, limit - filled)))
            }
            let count = result.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress! + filled, raw.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw SyscallError("read(\(path))", errno: errno) }
            if count == 0 { break }
            filled += count
        }
        result.removeSubrange(filled...)
        return result
    }
}
