import Glibc

extension Posix {
    /// Creates `path` with `bytes`, readable by its owner only (mode 0600), unless it exists:
    /// `O_EXCL` makes the first of two racing writers win. Returns false if the file was
    /// already there. For per-install secrets (the redaction key), written once.
    public static func createSecretFile(_ path: String, _ bytes: [UInt8]) throws(SyscallError) -> Bool {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw SyscallError("open(\(path))", errno: errno)
        }
        defer { Glibc.close(fd) }
        var failure: SyscallError?
        let code = bytes.withUnsafeBytes { writeFully(fd, $0) }
        if code != 0 { failure = SyscallError("write(\(path))", errno: code) }
        if failure == nil && fsync(fd) != 0 { failure = SyscallError("fsync(\(path))", errno: errno) }
        if let failure {
            unlink(path)
            throw failure
        }
        return true
    }

    /// The permission bits of the file at `path` (`0o600`…), or nil if it cannot be read.
    public static func fileMode(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode & 0o7777)
    }
}
