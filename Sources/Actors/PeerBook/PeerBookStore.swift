import Diagnostics
import Wire

/// Reads and writes `<data-dir>/peers.json`. Blocking file I/O: call it off the reactor.
public struct PeerBookStore: Sendable {
    public let path: String

    /// The largest peers.json read (16 MiB): a full book of 10,000 entries is about 3 MiB.
    public static let maximumFileSize = 16 << 20

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
    /// and the node starts with an empty book; out-of-range fields are clamped (``decode(_:now:)``).
    public func load(
        into book: inout PeerBook, now: Double = Timestamp.unixSecondsDouble()
    ) throws(SyscallError) -> LoadOutcome {
        guard let bytes = try Posix.readFile(path, maximumBytes: Self.maximumFileSize) else { return .missing }
        do throws(LoadError) {
            // A full book is a few MiB: a larger file is not one this node wrote (or a link to
            // /dev/zero); it is read no further than the bound and moved aside like any corrupt file.
            guard bytes.count <= Self.maximumFileSize else {
                throw LoadError("larger than \(Self.maximumFileSize) bytes, not a peer book")
            }
            let loaded = try Self.decodeBook(bytes, now: now)
            book.replaceAll(loaded.map(\.record), entries: loaded.map(\.entry), now: now)
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

    /// `{"version":1,"peers":[{address, source, first_seen, …}]}`, pretty-printed, sorted. A
    /// peer the address manager holds also has its `table` (new/tried), `source_group` (hex),
    /// `pinned`, `last_seen` and `attempts`; a file without them (an older node's) still loads.
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
            if let entry = book.addresses[record.ip] {
                fields.append(("table", .string(entry.table == .tried ? "tried" : "new")))
                fields.append(("source_group", .string(String(entry.sourceGroup.value, radix: 16))))
                fields.append(("pinned", .bool(entry.portPinned)))
                fields.append(("last_seen", .double(entry.lastSeen)))
                fields.append(("attempts", .int(entry.attempts)))
            }
            return JSONValue.object(fields)
        }
        let document = JSONValue.object([("version", .int(1)), ("peers", .array(peers))])
        return Array((document.render(pretty: true) + "\n").utf8)
    }

    /// The records of a peer-book file; entries with an unusable address are skipped.
    ///
    /// The file is outside input (a person may edit it, a disk may garble it), so every field
    /// is validated against `now` and clamped into what the node itself could have written:
    /// counters to 0…``PeerBook/maximumFailures`` (violations to the ban threshold), health
    /// to 0…100, past timestamps to 0…now (a `first_seen` that is not a number becomes now),
    /// cooldowns to at most an hour ahead and bans to ``PeerBook/maximumBanDuration`` ahead;
    /// a timestamp that is not a finite number is dropped.
    package static func decode(
        _ bytes: [UInt8], now: Double = Timestamp.unixSecondsDouble()
    ) throws(LoadError) -> [PeerRecord] {
        try decodeBook(bytes, now: now).map(\.record)
    }

    /// The records of a peer-book file with their address-manager entries (nil for a peer
    /// written without one: by an older node, or a port-less ban record), validated as
    /// ``decode(_:now:)`` says; `last_seen` is clamped like the other times, `attempts` like
    /// the failures, a `source_group` that is not hex becomes the address's own group, and
    /// `tried` without a last success is read as new.
    package static func decodeBook(
        _ bytes: [UInt8], now: Double = Timestamp.unixSecondsDouble()
    ) throws(LoadError) -> [(record: PeerRecord, entry: AddressManager.Entry?)] {
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
        var records: [(record: PeerRecord, entry: AddressManager.Entry?)] = []
        for (index, entry) in peers.enumerated() {
            guard let text = entry["address"]?.stringValue, let address = try? SocketAddress(parsing: text) else {
                continue
            }
            guard let sourceText = entry["source"]?.stringValue, let source = PeerSource(rawValue: sourceText) else {
                throw LoadError("peer \(index): missing or invalid source")
            }
            let now = now.isFinite ? max(0, now) : 0
            func time(_ key: String, upTo limit: Double) -> Double? {
                guard let value = entry[key]?.doubleValue, value.isFinite else { return nil }
                return min(max(0, value), limit)
            }
            func counter(_ key: String, upTo limit: Int) -> Int {
                min(max(0, entry[key]?.intValue ?? 0), limit)
            }
            let reason = entry["last_reason"]?.stringValue.flatMap { text in
                text.utf8.count <= 64 && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || $0 == 0x5F } ? text : nil
            }
            let record = PeerRecord(
                address: address, source: source, firstSeen: time("first_seen", upTo: now) ?? now,
                lastAttempt: time("last_attempt", upTo: now), lastSuccess: time("last_success", upTo: now),
                failures: counter("failures", upTo: PeerBook.maximumFailures),
                cooldownUntil: time("cooldown_until", upTo: now + PeerBook.maximumCooldown),
                bannedUntil: time("banned_until", upTo: now + PeerBook.maximumBanDuration),
                violations: counter("violations", upTo: PeerBook.violationsBeforeBan),
                health: min(100, max(0, entry["health"]?.intValue ?? 100)),
                lastReason: reason)
            var saved: AddressManager.Entry?
            if address.port != 0, let table = entry["table"]?.stringValue, table == "new" || table == "tried" {
                let group =
                    entry["source_group"]?.stringValue.flatMap { UInt64($0, radix: 16) }.map(
                        NetworkGroup.init(rawValue:))
                    ?? NetworkGroup(address.ip)
                saved = AddressManager.Entry(
                    address: address, origin: source, sourceGroup: group,
                    portPinned: entry["pinned"]?.boolValue ?? false,
                    table: table == "tried" && record.lastSuccess != nil ? .tried : .new,
                    lastSeen: time("last_seen", upTo: now) ?? record.firstSeen, lastTry: record.lastAttempt,
                    lastSuccess: record.lastSuccess, attempts: counter("attempts", upTo: PeerBook.maximumFailures))
            }
            records.append((record, saved))
        }
        return records
    }

    /// Why a peer-book file was not loaded.
    package struct LoadError: Error, CustomStringConvertible {
        package let description: String
        init(_ description: String) { self.description = description }
    }
}
