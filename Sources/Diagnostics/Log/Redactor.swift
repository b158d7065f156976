import Wire

/// Hides peer addresses in logs and public files unless `MESHNODE_DEBUG_PUBLIC_PEERS=1`:
/// `75.128.3.9:7071` becomes `75.128.***:***:7071` (INTERFACE.md).
public struct Redactor: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Redaction on unless the environment asks to show peers whole.
    public static let fromEnvironment = Redactor(enabled: Posix.environment("MESHNODE_DEBUG_PUBLIC_PEERS") != "1")

    /// `HOST:PORT`, `[V6]:PORT` or a bare IP, redacted; other text is returned unchanged.
    public func redact(_ text: String) -> String {
        guard enabled else { return text }
        if let address = try? SocketAddress(parsing: text) { return redact(address.ip, port: address.port) }
        if let ip = IPAddress(parsing: text) { return redact(ip, port: nil) }
        return text
    }

    public func redact(_ ip: IPAddress, port: UInt16?) -> String {
        guard enabled else {
            guard let port else { return ip.description }
            return SocketAddress(ip: ip, port: port).description
        }
        let suffix = port.map { ":\($0)" } ?? ""
        switch ip {
        case .v4(let value):
            return "\(value >> 24).\((value >> 16) & 0xFF).***:***" + suffix
        case .v6(let high, _):
            let first = String(high >> 48, radix: 16)
            let second = String((high >> 32) & 0xFFFF, radix: 16)
            return "[\(first):\(second):***:***]" + suffix
        }
    }
}
