/// An IP address and a TCP port.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address, normalized (IPv4-mapped IPv6 folded to IPv4).
    public var ip: IPAddress
    /// The port in host byte order.
    public var port: UInt16

    /// The address `ip` (normalized) and `port`.
    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip.normalized
        self.port = port
    }

    /// `1.2.3.4:7071` or `[2001:db8::1]:7071`.
    public var description: String {
        switch ip {
        case .v4: return "\(ip):\(port)"
        case .v6: return "[\(ip)]:\(port)"
        }
    }

    /// Parses `HOST:PORT` where HOST is a numeric IPv4 address or a bracketed IPv6 address.
    ///
    /// Host names are not resolved here (resolution blocks; it belongs off the reactor).
    public init(parsing text: String) throws(AddressError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .malformed(text) }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .missingPort(text) }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .missingPort(text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw .malformed(text) }  // bare IPv6 needs brackets
        }
        guard let port = UInt16(portText), !portText.isEmpty else { throw .invalidPort(text) }
        guard let ip = IPAddress(parsing: String(host)) else { throw .invalidHost(text) }
        self.init(ip: ip, port: port)
    }

    /// Why a `HOST:PORT` string was refused.
    public enum AddressError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not `HOST:PORT` or `[IPV6]:PORT`.
        case malformed(String)
        /// No `:PORT`.
        case missingPort(String)
        /// The port is not a number in 1–65535.
        case invalidPort(String)
        /// The host is not a numeric IPv4 or IPv6 address.
        case invalidHost(String)

        /// What was wrong and what was expected.
        public var description: String {
            switch self {
            case .malformed(let text): return "malformed address '\(text)' (expected HOST:PORT or [IPV6]:PORT)"
            case .missingPort(let text): return "address '\(text)' has no port (expected HOST:PORT)"
            case .invalidPort(let text): return "address '\(text)' has an invalid port (1-65535)"
            case .invalidHost(let text): return "address '\(text)' is not a numeric IPv4 or IPv6 address"
            }
        }
    }
}
