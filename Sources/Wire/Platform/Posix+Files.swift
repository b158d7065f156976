import Glibc

extension Posix {
    /// Replaces the file at `path` with `bytes` so that a crash at any instant leaves either
    /// the old content or the new, never a torn file: write a temporary file beside it,
    /// fsync it, rename it over the target, fsync the directory.
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws(SyscallError) {
        let temporary = temporaryPath(for: path, writer: getpid())
        let fd = try retrying("open(\(temporary))") {
            Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        var failure: SyscallError?
        let code = bytes.withUnsafeBytes { writeFully(fd, $0) }
        if code != 0 { failure = SyscallError("write(\(temporary))", errno: code) }
        if failure == nil && fsync(fd) != 0 { failure = SyscallError("fsync(\(temporary))", errno: errno) }
        Glibc.close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard Glibc.rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw SyscallError("rename(\(path))", errno: code)
        }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let dirFD = Glibc.open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            Glibc.close(dirFD)
        }
    }

    /// The names in `directory` (without "." and ".."), or nil if it cannot be opened.
    ///
    /// The name is read through the entry's pointer up to its NUL, never by copying the
    /// `dirent`: readdir returns entries `d_reclen` bytes long inside its own buffer, shorter
    /// than `MemoryLayout<dirent>.size` for short names, so a copy of the whole struct reads
    /// past the end of that buffer (AddressSanitizer: heap-buffer-overflow).
    public static func directoryEntries(_ directory: String) -> [String]? {
        guard let stream = opendir(directory) else { return nil }
        defer { closedir(stream) }
        // d_name is a stored field of the C struct: its offset is always known.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = String(
                cString: UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes the temporary files `writeFileAtomically` leaves in `directory` when its
    /// process dies mid-write (`NAME.tmp.PID` whose PID no longer runs). Returns their names.
    /// A live writer's file is left alone, so two processes sharing a directory stay safe.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> [String] {
        var removed: [String] = []
        for name in directoryEntries(directory) ?? [] {
            guard let pid = temporaryWriter(of: name), pid > 0, kill(pid, 0) != 0 && errno == ESRCH else { continue }
            if unlink(directory + "/" + name) == 0 { removed.append(name) }
        }
        return removed
    }

    /// Where `writeFileAtomically` writes before the rename: `PATH.tmp.PID`.
    static func temporaryPath(for path: String, writer pid: pid_t) -> String {
        path + ".tmp.\(pid)"
    }

    /// The writer's PID if `name` is such a temporary file's name.
    static func temporaryWriter(of name: String) -> pid_t? {
        let parts = name.split(separator: ".")
        guard parts.count >= 3, parts[parts.count - 2] == "tmp" else { return nil }
        return pid_t(parts[parts.count - 1])
    }

    /// The whole content of a file, or `nil` if it does not exist.
    public static func readFile(_ path: String) throws(SyscallError) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SyscallError("open(\(path))", errno: errno)
        }
        defer { Glibc.close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw SyscallError("read(\(path))", errno: errno) }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Creates `path` and its parents (mode 0755); succeeds if it exists.
    public static func makeDirectories(_ path: String) throws(SyscallError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw SyscallError("mkdir(\(current))", errno: errno)
            }
        }
    }

    /// Renames `from` to `to` (same file system).
    public static func rename(_ from: String, to: String) throws(SyscallError) {
        guard Glibc.rename(from, to) == 0 else { throw SyscallError("rename(\(from))", errno: errno) }
    }

    /// True if `path` can be written by this process (an existing file or directory).
    public static func isWritable(_ path: String) -> Bool {
        access(path, W_OK) == 0
    }
}

extension Posix {
    /// Resolves a host name (or numeric address) to addresses with getaddrinfo; none if it
    /// does not resolve. Blocking: call it at startup or off the reactor.
    public static func resolve(_ host: String) -> [IPAddress] {
        (try? resolveExplaining(host).get()) ?? []
    }
}
