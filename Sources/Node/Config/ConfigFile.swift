import Diagnostics
import Wire

/// Maps the config file's keys to the command line's options, so that both go through one
/// validation path and the command line simply comes later (and wins).
enum ConfigFile {
    /// The default path, used when it exists and no `--config` is given.
    static let defaultPath = "config/meshnode.toml"

    /// A config file is a few hundred bytes; past this it is not one (`--config /dev/zero`).
    static let maximumBytes = 1 << 20

    /// key → the equivalent flag.
    static let keys: [String: String] = [
        "seed_peers": "--seed", "peers": "--peer", "listen": "--listen", "debug_listen": "--debug-listen",
        "data_dir": "--data-dir", "chain_id": "--chain-id", "genesis": "--genesis",
        "min_outbound_connections": "--min-outbound", "max_outbound_connections": "--max-peers",
        "max_peers": "--max-peers", "max_receive_buffer": "--max-receive-buffer",
        "max_send_buffer": "--max-send-buffer", "connection_timeout_seconds": "--dial-timeout",
        "dial_timeout_seconds": "--dial-timeout", "handshake_timeout_seconds": "--handshake-timeout",
        "reconnection_interval_seconds": "--tick", "tick_seconds": "--tick",
        "ping_interval_seconds": "--ping-interval", "ping_timeout_seconds": "--ping-timeout",
        "cooldown_seconds": "--cooldown", "lan": "--lan",
        "ipv4_only": "--ipv4-only", "log_level": "--log-level", "log_format": "--log-format",
        "mesh_siblings": "--mesh-sibling",
    ]

    /// The TOML type a flag's key takes.
    enum Expected {
        case boolean, strings, seconds, integer, string

        init(flag: String) {
            switch flag {
            case "--lan", "--ipv4-only": self = .boolean
            case "--seed", "--peer", "--mesh-sibling": self = .strings
            case "--min-outbound", "--max-peers", "--max-receive-buffer", "--max-send-buffer": self = .integer
            case "--tick", "--ping-interval", "--ping-timeout", "--dial-timeout", "--handshake-timeout", "--cooldown":
                self = .seconds
            default: self = .string
            }
        }

        var description: String {
            switch self {
            case .boolean: return "a boolean (true or false)"
            case .strings: return "an array of strings, such as [\"host:7071\"]"
            case .seconds: return "a number of seconds, such as 30 or 0.5"
            case .integer: return "an integer"
            case .string: return "a string in double quotes"
            }
        }
    }

    /// The file's settings as (flag, value, line) operations.
    static func operations(path: String) throws(Command.UsageError) -> [(flag: String, value: String?, line: Int)] {
        let bytes: [UInt8]
        do {
            // Bounded: `--config /dev/zero` must not read forever.
            guard let read = try Posix.readFile(path, maximumBytes: maximumBytes) else {
                throw Command.UsageError(description: "config file \(path) does not exist (check --config)")
            }
            bytes = read
        } catch let error as Command.UsageError {
            throw error
        } catch {
            throw Command.UsageError(description: "cannot read config file \(path): \(error)")
        }
        return try operations(bytes, path: path)
    }

    /// The settings of a config file's `bytes` (`path` names it in errors).
    static func operations(_ bytes: [UInt8], path: String) throws(Command.UsageError) -> [(
        flag: String, value: String?, line: Int
    )] {
        guard bytes.count <= maximumBytes else {
            throw Command.UsageError(description: "\(path): larger than \(maximumBytes) bytes, not a config file")
        }
        let document: TOMLDocument
        do {
            document = try TOMLDocument(parsing: bytes)
        } catch {
            // `lan = yes` is not TOML at all; say what the key takes rather than what TOML is.
            if let key = error.key, let flag = keys[key], let text = error.unreadableValue {
                throw Command.UsageError(
                    description: "\(path) line \(error.line): '\(key)' expects \(Expected(flag: flag).description), "
                        + "not '\(text)'")
            }
            throw Command.UsageError(description: "\(path) \(error)")
        }
        var operations: [(String, String?, Int)] = []
        for (key, value, line) in document.entries {
            guard let flag = keys[key] else {
                let known = keys.keys.sorted().joined(separator: ", ")
                throw Command.UsageError(description: "\(path) line \(line): unknown key '\(key)' (known: \(known))")
            }
            let expected = Expected(flag: flag)
            switch (value, expected) {
            case (.boolean(let flagOn), .boolean):
                if flagOn { operations.append((flag, nil, line)) }
            case (.strings(let items), .strings):
                for item in items { operations.append((flag, item, line)) }
            case (.string(let text), .string):
                operations.append((flag, text, line))
            case (.integer(let number), .integer), (.integer(let number), .seconds):
                operations.append((flag, String(number), line))
            case (.double(let number), .seconds) where number.isFinite:
                operations.append((flag, String(number), line))
            default:
                throw Command.UsageError(
                    description: "\(path) line \(line): '\(key)' expects \(expected.description), not \(value.typeName)"
                        + (value.isNonFinite ? " (inf or nan)" : ""))
            }
        }
        return operations
    }
}

extension TOMLDocument.Value {
    fileprivate var isNonFinite: Bool {
        if case .double(let number) = self { return !number.isFinite }
        return false
    }
}
