import Glibc

extension Posix {
    /// Resolves a host name with getaddrinfo, saying why when it cannot (gai_strerror: "Name or
    /// service not known", "Temporary failure in name resolution"). Blocking, for as long as
    /// the resolver takes: call it off the reactor.
    public static func resolveExplaining(_ host: String) -> Result<[IPAddress], ResolveError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else {
            let reason = status == EAI_SYSTEM ? errorString(errno) : String(cString: gai_strerror(status))
            return .failure(ResolveError(host: host, reason: reason))
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { target in
                    target.copyMemory(
                        from: UnsafeRawBufferPointer(
                            start: raw, count: min(Int(entry.pointee.ai_addrlen), MemoryLayout<sockaddr_storage>.size)))
                }
                if let address = SocketAddress(storage: storage), !addresses.contains(address.ip) {
                    addresses.append(address.ip)
                }
            }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else { return .failure(ResolveError(host: host, reason: "no IPv4 or IPv6 address")) }
        return .success(addresses)
    }

    /// A name that did not resolve, and the resolver's reason.
    public struct ResolveError: Error, Sendable, CustomStringConvertible {
        public let host: String
        public let reason: String
        public var description: String { "\(host) does not resolve: \(reason)" }
    }
}
