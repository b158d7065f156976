import Wire

/// Hides peer addresses in logs and public files unless `MESHNODE_DEBUG_PUBLIC_PEERS=1`:
/// `75.128.3.9:7071` becomes `75.128.***:***#5c0e1a:7071` (INTERFACE.md, Logs). The `#…`
/// part is a keyed hash of the whole IP (SipHash-2-4 with a per-data-dir secret, see
/// ``RedactionKey``), so two lines about one peer can be matched while the IP stays hidden,
/// and nobody without the key can test a guess. Without a key the hash is left out.
public struct Redactor: Sendable {
    public let enabled: Bool
    /// The secret of the hash; nil prints the mask alone.
    public let key: RedactionKey?

    public init(enabled: Bool, key: RedactionKey? = nil) {
        self.enabled = enabled
        self.key = key
    }

    /// Redaction on unless the environment asks to show peers whole, with the key the process
    /// installed (``install(_:)``) if any.
    public static var fromEnvironment: Redactor {
        Redactor(enabled: Posix.environment("MESHNODE_DEBUG_PUBLIC_PEERS") != "1", key: installedKey.value)
    }

    /// The key every `fromEnvironment` redactor uses from now on (the binary installs its data
    /// dir's key at start, before anything is logged or written). One node per process.
    public static func install(_ key: RedactionKey?) {
        installedKey.withLock { $0 = key }
    }

    // A lock: installed once by main, read by every thread that logs or writes a report.
    private static let installedKey = LockedValue<RedactionKey?>(nil)

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
        let tag = key.map { "#" + $0.tag(for: ip) } ?? ""
        switch ip {
        case .v4(let value):
            return "\(value >> 24).\((value >> 16) & 0xFF).***:***" + tag + suffix
        case .v6(let high, _):
            let first = String(high >> 48, radix: 16)
            let second = String((high >> 32) & 0xFFFF, radix: 16)
            return "[\(first):\(second):***:***\(tag)]" + suffix
        }
    }
}
