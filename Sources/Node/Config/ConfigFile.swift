import Diagnostics
import Wire

/// Maps the config file's keys to the command line's options, so that both go through one
/// validation path and the command line simply comes later (and wins).
enum ConfigFile {
    /// The default path, used when it exists and no `--config` is given.
    static let defaultPath = "config/meshnode.toml"

    /// key → the equivalent flag (nil value: a switch).
    static let keys: [String: String] = [
        "seed_peers": "--seed", "peers": "--peer", "listen": "--listen", "debug_listen": "--debug-listen",
        "data_dir": "--data-dir", "chain_id": "--chain-id", "genesis": "--genesis",
        "min_outbound_connections": "--min-outbound", "max_outbound_connections": "--max-peers",
        "max_peers": "--max-peers", "connection_timeout_seconds": "--dial-timeout",
        "dial_timeout_seconds": "--dial-timeout", "handshake_timeout_seconds": "--handshake-timeout",
        "reconnection_interval_seconds": "--tick", "tick_seconds": "--tick",
        "ping_interval_seconds": "--ping-interval", "ping_timeout_seconds": "--ping-timeout",
        "cooldown_seconds": "--cooldown", "lan": "--lan",
        "ipv4_only": "--ipv4-only", "log_level": "--log-level", "log_format": "--log-format",
    ]

    /// The file's settings as (flag, value, line) operations.
    static func operations(path: String) throws(Command.UsageError) -> [(flag: String, value: String?, line: Int)] {
        let bytes: [UInt8]
        do {
            guard let read = try Posix.readFile(path) else {
                throw Command.UsageError(description: "config file \(path) does not exist (check --config)")
            }
            bytes = read
        } catch let error as Command.UsageError {
            throw error
        } catch {
            throw Command.UsageError(description: "cannot read config file \(path): \(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Command.UsageError(description: "\(path): not UTF-8 text")
        }
        let document: TOMLDocument
        do {
            document = try TOMLDocument(parsing: text)
        } catch {
            throw Command.UsageError(description: "\(path) \(error)")
        }
        var operations: [(String, String?, Int)] = []
        for (key, value, line) in document.entries {
            guard let flag = keys[key] else {
                let known = keys.keys.sorted().joined(separator: ", ")
                throw Command.UsageError(description: "\(path) line \(line): unknown key '\(key)' (known: \(known))")
            }
            let isSwitch = flag == "--lan" || flag == "--ipv4-only"
            switch (value, isSwitch) {
            case (.boolean(let flagOn), true):
                if flagOn { operations.append((flag, nil, line)) }
            case (.strings(let items), false) where flag == "--seed" || flag == "--peer":
                for item in items { operations.append((flag, item, line)) }
            case (.string(let text), false) where flag != "--seed" && flag != "--peer":
                operations.append((flag, text, line))
            case (.integer(let number), false) where flag != "--seed" && flag != "--peer":
                operations.append((flag, String(number), line))
            case (.double(let number), false)
            where flag.hasSuffix("timeout") || flag.hasSuffix("interval") || flag == "--tick":
                operations.append((flag, String(number), line))
            default:
                throw Command.UsageError(
                    description: "\(path) line \(line): '\(key)' cannot be \(value.typeName)")
            }
        }
        return operations
    }
}
