import Diagnostics
import Wire

/// Reads and writes `<data-dir>/peers.json`. Blocking file I/O: call it off the reactor.
public struct PeerBookStore: Sendable {
    public let path: String

    public init(dataDirectory: String) {
        self.path = dataDirectory + "/peers.json"
    }

    /// What loading found.
    public enum LoadOutcome: Sendable, Equatable {
        case missing
        case loaded(count: Int)
        /// The file was unreadable as a peer book; it was moved to `movedTo`.
        case corrupt(reason: String, movedTo: String)
    }

    /// Loads the book. A corrupt, truncated or foreign file is moved aside (never deleted)
    /// and the node starts with an empty book.
    public func load(into book: inout PeerBook) throws(SyscallError) -> LoadOutcome {
        guard let bytes = try Posix.readFile(path) else { return .missing }
        do {
            book.replaceAll(try Self.decode(bytes))
            return .loaded(count: book.count)
        } catch {
            let aside = path + ".corrupt-\(Timestamp.unixSeconds())"
            try Posix.rename(path, to: aside)
            return .corrupt(reason: error.description, movedTo: aside)
        }
    }

    /// Writes the book atomically (tmp, fsync, rename, fsync dir).
    public func save(_ book: PeerBook) throws(SyscallError) {
        try Posix.writeFileAtomically(path, Self.encode(book))
    }

    /// `{"version":1,"peers":[{address, source, first_seen, …}]}`, pretty-printed, sorted.
    static func encode(_ book: PeerBook) -> [UInt8] {
        let peers = book.records.values.sorted { $0.address.description < $1.address.description }.map { record in
            var fields: [(String, JSONValue)] = [
                ("address", .string(record.address.description)), ("source", .string(record.source.rawValue)),
                ("first_seen", .double(record.firstSeen)),
            ]
            if let value = record.lastAttempt { fields.append(("last_attempt", .double(value))) }
            if let value = record.lastSuccess { fields.append(("last_success", .double(value))) }
            fields.append(("failures", .int(record.failures)))
            if let value = record.cooldownUntil { fields.append(("cooldown_until", .double(value))) }
            if let value = record.bannedUntil { fields.append(("banned_until", .double(value))) }
            fields.append(("violations", .int(record.violations)))
            fields.append(("health", .int(record.health)))
            if let value = record.lastReason { fields.append(("last_reason", .string(value))) }
            return JSONValue.object(fields)
        }
        let document = JSONValue.object([("version", .int(1)), ("peers", .array(peers))])
        return Array((document.render(pretty: true) + "\n").utf8)
    }

    /// The records of a peer-book file; entries with an unusable address are skipped.
    package static func decode(_ bytes: [UInt8]) throws(LoadError) -> [PeerRecord] {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw LoadError("not valid JSON: \(error)")
        }
        guard document.objectValue != nil else { throw LoadError("not a peer book (expected an object)") }
        guard let version = document["version"]?.intValue else { throw LoadError("missing field 'version'") }
        guard version == 1 else { throw LoadError("unknown version \(version)") }
        guard let peers = document["peers"]?.arrayValue else { throw LoadError("missing field 'peers'") }
        var records: [PeerRecord] = []
        for (index, entry) in peers.enumerated() {
            guard let text = entry["address"]?.stringValue, let address = try? SocketAddress(parsing: text) else {
                continue
            }
            guard let sourceText = entry["source"]?.stringValue, let source = PeerSource(rawValue: sourceText),
                let firstSeen = entry["first_seen"]?.doubleValue
            else {
                throw LoadError("peer \(index): missing or invalid source / first_seen")
            }
            records.append(
                PeerRecord(
                    address: address, source: source, firstSeen: firstSeen,
                    lastAttempt: entry["last_attempt"]?.doubleValue, lastSuccess: entry["last_success"]?.doubleValue,
                    failures: max(0, entry["failures"]?.intValue ?? 0),
                    cooldownUntil: entry["cooldown_until"]?.doubleValue,
                    bannedUntil: entry["banned_until"]?.doubleValue,
                    violations: max(0, entry["violations"]?.intValue ?? 0),
                    health: min(100, max(0, entry["health"]?.intValue ?? 100)),
                    lastReason: entry["last_reason"]?.stringValue))
        }
        return records
    }

    /// Why a peer-book file was not loaded.
    package struct LoadError: Error, CustomStringConvertible {
        package let description: String
        init(_ description: String) { self.description = description }
    }
}
