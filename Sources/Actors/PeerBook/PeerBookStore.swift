import Foundation
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

    struct File: Codable {
        var version: Int
        var peers: [Entry]
    }

    struct Entry: Codable {
        var address: String
        var source: PeerSource
        var firstSeen: Double
        var lastAttempt: Double?
        var lastSuccess: Double?
        var failures: Int
        var cooldownUntil: Double?
        var bannedUntil: Double?
        var violations: Int
        var health: Int
        var lastReason: String?

        enum CodingKeys: String, CodingKey {
            case address, source, failures, violations, health
            case firstSeen = "first_seen"
            case lastAttempt = "last_attempt"
            case lastSuccess = "last_success"
            case cooldownUntil = "cooldown_until"
            case bannedUntil = "banned_until"
            case lastReason = "last_reason"
        }
    }

    /// Loads the book. A corrupt, truncated or foreign file is moved aside (never deleted)
    /// and the node starts with an empty book.
    public func load(into book: inout PeerBook) throws(SyscallError) -> LoadOutcome {
        guard let bytes = try Posix.readFile(path) else { return .missing }
        do {
            let file = try JSONDecoder().decode(File.self, from: Data(bytes))
            guard file.version == 1 else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "version \(file.version)"))
            }
            var records: [PeerRecord] = []
            for entry in file.peers {
                guard let address = try? SocketAddress(parsing: entry.address) else { continue }
                records.append(
                    PeerRecord(
                        address: address, source: entry.source, firstSeen: entry.firstSeen,
                        lastAttempt: entry.lastAttempt, lastSuccess: entry.lastSuccess,
                        failures: max(0, entry.failures), cooldownUntil: entry.cooldownUntil,
                        bannedUntil: entry.bannedUntil, violations: max(0, entry.violations),
                        health: min(100, max(0, entry.health)), lastReason: entry.lastReason))
            }
            book.replaceAll(records)
            return .loaded(count: book.count)
        } catch {
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))"
            try Posix.rename(path, to: aside)
            return .corrupt(reason: Self.describe(error), movedTo: aside)
        }
    }

    /// Writes the book atomically (tmp, fsync, rename, fsync dir).
    public func save(_ book: PeerBook) throws(SyscallError) {
        let entries = book.records.values.sorted { $0.address.description < $1.address.description }.map {
            Entry(
                address: $0.address.description, source: $0.source, firstSeen: $0.firstSeen,
                lastAttempt: $0.lastAttempt, lastSuccess: $0.lastSuccess, failures: $0.failures,
                cooldownUntil: $0.cooldownUntil, bannedUntil: $0.bannedUntil, violations: $0.violations,
                health: $0.health, lastReason: $0.lastReason)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = (try? encoder.encode(File(version: 1, peers: entries))) ?? Data("{\"version\":1,\"peers\":[]}".utf8)
        try Posix.writeFileAtomically(path, Array(data))
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return "not valid JSON: \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}
