import Diagnostics
import Wire

/// `<data-dir>/anchors.json`: up to 2 outbound peers saved at a clean shutdown and dialed
/// first at the next start (Bitcoin Core's anchors.dat), so that a restart keeps at least the
/// connections it had chosen itself before any address it learns since. The file is deleted
/// when read: anchors are for the one start after the shutdown that saved them. Blocking file
/// I/O: call it off the reactor (or before the node runs).
public struct AnchorStore: Sendable {
    /// Anchors kept (bitcoind: `MAX_BLOCK_RELAY_ONLY_ANCHORS`).
    public static let limit = 2
    /// A larger file is not ours: it is ignored.
    static let maximumFileSize = 4096
    public let path: String

    public init(dataDirectory: String) {
        self.path = dataDirectory + "/anchors.json"
    }

    /// Writes the anchors atomically: `{"version":1,"anchors":["IP:PORT", …]}`.
    public func save(_ anchors: [SocketAddress]) throws(SyscallError) {
        let list = anchors.prefix(Self.limit).map { JSONValue.string($0.description) }
        let document = JSONValue.object([("version", .int(1)), ("anchors", .array(Array(list)))])
        try Posix.writeFileAtomically(path, Array((document.render(pretty: true) + "\n").utf8))
    }

    /// Reads the anchors and deletes the file. A missing, unreadable or malformed file gives
    /// no anchors (it is deleted all the same); at most `limit` valid addresses are taken.
    public func take() -> [SocketAddress] {
        let bytes = try? Posix.readFile(path, maximumBytes: Self.maximumFileSize)
        Posix.removeFile(path)
        guard let bytes: [UInt8] = bytes ?? nil, bytes.count <= Self.maximumFileSize,
            let document = try? JSONValue.parse(bytes), document["version"]?.intValue == 1,
            let list = document["anchors"]?.arrayValue
        else { return [] }
        var anchors: [SocketAddress] = []
        for entry in list.prefix(Self.limit) {
            guard let text = entry.stringValue, let address = try? SocketAddress(parsing: text), address.port != 0
            else { continue }
            if !anchors.contains(where: { PeerIP($0.ip) == PeerIP(address.ip) }) { anchors.append(address) }
        }
        return anchors
    }
}
