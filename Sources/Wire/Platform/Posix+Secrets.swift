import Glibc

extension Posix {
    /// `count` bytes from the kernel's CSPRNG (`/dev/urandom`; Glibc's module map does not
    /// export `getrandom`).
    public static func randomBytes(_ count: Int) throws(SyscallError) -> [UInt8] {
        let fd = try retrying("open(/dev/urandom)") { Glibc.open("/dev/urandom", O_RDONLY | O_CLOEXEC) }
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + filled, count - filled) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw SyscallError("read(/dev/urandom)", errno: got < 0 ? errno : EIO) }
            filled += got
        }
        return bytes
    }

    /// Writes a secret (a cookie) so that no other user can read it, even for an instant: a
    /// fresh temporary file created with mode 0600 (`O_EXCL`, never an existing file someone
    /// else prepared), fsynced, then renamed over `path`.
    public static func writeSecretFile(_ path: String, _ bytes: [UInt8]) throws(SyscallError) {
        let temporary = temporaryPath(for: path, writer: getpid())
        unlink(temporary)  // a leftover of our own pid from a crash
        let fd = try retrying("open(\(temporary))") {
            Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        }
        var failure: SyscallError?
        if fchmod(fd, 0o600) != 0 { failure = SyscallError("fchmod(\(temporary))", errno: errno) }
        if failure == nil {
            let code = bytes.withUnsafeBytes { writeFully(fd, $0) }
            if code != 0 { failure = SyscallError("write(\(temporary))", errno: code) }
        }
        if failure == nil && fsync(fd) != 0 { failure = SyscallError("fsync(\(temporary))", errno: errno) }
        Glibc.close(fd)
        if failure == nil && Glibc.rename(temporary, path) != 0 {
            failure = SyscallError("rename(\(path))", errno: errno)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    /// Removes a file; a missing one is not an error.
    public static func removeFile(_ path: String) {
        unlink(path)
    }
}
