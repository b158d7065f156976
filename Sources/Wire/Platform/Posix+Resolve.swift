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
        freeaddrinfo(first)
        let addresses = resolve(host)
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
