import Diagnostics
import Wire

/// `<data-dir>/addrman.key`: the per-install secret behind the address manager's buckets (32
/// hex digits), made once and kept, so that addresses stay in their buckets across restarts
/// and an outsider cannot compute which bucket its addresses land in. Losing it only
/// reshuffles the buckets. Blocking file I/O: call it before the node runs.
public struct AddressKeyStore: Sendable {
    public static let fileName = "addrman.key"
    public let path: String

    public init(dataDirectory: String) {
        path = dataDirectory + "/" + Self.fileName
    }

    /// What loading found.
    public enum Outcome: Sendable, Equatable {
        case loaded
        case created
        /// The file was not a key (hand-edited, garbled): a new key replaced it.
        case replacedInvalid
    }

    /// The key in the file, or a new one written there (atomically) when the file is missing
    /// or not 32 hex digits. Throws when the file can be neither read nor replaced; the caller
    /// then runs with a key for this run only (`SipHashKey.random()`).
    public func loadOrCreate() throws(SyscallError) -> (SipHashKey, Outcome) {
        let bytes = try Posix.readFile(path, maximumBytes: 128)
        if let bytes, let parsed = RedactionKey(hex: bytes) {
            return (SipHashKey(k0: parsed.k0, k1: parsed.k1), .loaded)
        }
        let fresh = SipHashKey.random()
        try Posix.writeFileAtomically(path, Array((RedactionKey(k0: fresh.k0, k1: fresh.k1).hex + "\n").utf8))
        return (fresh, bytes == nil ? .created : .replacedInvalid)
    }
}
