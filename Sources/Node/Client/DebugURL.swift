import Wire

/// The node's debug endpoint as the CLI is given it: `http://HOST[:PORT][/]`, where HOST is
/// an IPv4 address, a bracketed IPv6 address or a name (`localhost`).
///
/// `authority` is sent as the `Host` header exactly as written, because the endpoint answers
/// only requests addressed to itself (DNS-rebinding protection).
struct DebugURL: Sendable, Equatable, CustomStringConvertible {
    /// The host as written, without brackets.
    let host: String
    let port: UInt16
    /// `HOST:PORT` as written (brackets kept): the `Host` header.
    let authority: String

    var description: String { "http://\(authority)" }

    /// Why a URL was refused.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init(parsing text: String) throws(Invalid) {
        func invalid(_ why: String) -> Invalid {
            Invalid(
                description: "--debug-url '\(text)': \(why) (expected http://HOST:PORT, e.g. http://127.0.0.1:7070)")
        }
        var rest = Substring(text)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            guard rest[..<colon].lowercased() == "http" else { throw invalid("only http:// is supported") }
            rest = rest[colon...].dropFirst(3)
        }
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else { throw invalid("a path is not allowed") }
            rest = rest[..<slash]
        }
        guard !rest.contains("@") else { throw invalid("user information is not allowed") }
        let hostPart: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid("unclosed '['") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after ']'") }
                portText = after.dropFirst()
            }
            guard case .v6 = IPAddress(parsing: String(hostPart)) else { throw invalid("not an IPv6 address") }
        } else {
            if let colon = rest.lastIndex(of: ":") {
                hostPart = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                hostPart = rest
            }
            guard !hostPart.contains(":") else { throw invalid("an IPv6 address needs brackets") }
        }
        guard !hostPart.isEmpty,
            hostPart.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
            })
        else { throw invalid("no valid host") }
        if let portText {
            guard let port = UInt16(portText), port > 0 else { throw invalid("the port must be 1-65535") }
            self.port = port
        } else {
            self.port = 80
        }
        host = String(hostPart)
        authority = String(rest)
    }

    /// The addresses to try, in order: the host itself when numeric, else what it resolves to.
    func addresses() -> [SocketAddress] {
        if let ip = IPAddress(parsing: host) { return [SocketAddress(ip: ip, port: port)] }
        return Posix.resolve(host).map { SocketAddress(ip: $0, port: port) }
    }
}
