import Glibc

extension Posix {
    /// Removes a file; succeeds if it does not exist.
    public static func removeFile(_ path: String) throws(SyscallError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw SyscallError("unlink(\(path))", errno: errno) }
    }
}
