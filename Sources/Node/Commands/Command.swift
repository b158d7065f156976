import Actors
import Diagnostics
import Wire

/// What the command line asked for.
enum Command {
    case run(RunOptions)
    /// `watch`: redraw every interval until Ctrl-C.
    case status(debugURL: String, watch: Duration?)
    case diagnose(debugURL: String)
    /// `why IP`: the node's decisions about one peer.
    case why(ip: String, debugURL: String)
    case control(ControlCommand)
    case testnet(TestnetCommand)
    case help
    case version

    static let versionString = "0.1.0"

    static let usage = """
        usage: meshnode [run] [options]             start a node (foreground; logs to stderr)
               meshnode status [--debug-url URL] [--watch [--interval S]]
                                                    one screen: peers, peer book, blockers, failures
                                                    (--watch: redrawn every S seconds, default 2, until Ctrl-C)
               meshnode diagnose [--debug-url URL]  why aren't my peers connecting?
               meshnode why IP [--debug-url URL]    every decision about one peer, newest last
               meshnode connect HOST:PORT [--persist]   dial now (--persist: keep it as a direct peer)
               meshnode disconnect IP               close the session with IP
               meshnode ban IP [--seconds N]        ban IP (default 86400 s, up to 10 years), close its session
               meshnode unban IP                    lift a ban
               meshnode bans                        the bans in force
               meshnode testnet --nodes N [--data-dir DIR] [--base-ip IP] [--tick S] [--ready-timeout S]
                                                    N nodes (2-64) on 127.0.0.2, .3, … (from --base-ip), a full
                                                    mesh at once; data in DIR/node1… (default ./meshnode_testnet);
                                                    every node's dashboard draws the whole testnet as a graph;
                                                    Ctrl-C stops all
               meshnode --help | --version

        options of run (each also settable in the config file; the command line wins):
          --config PATH                 TOML config (default config/meshnode.toml if present)
          --listen HOST:PORT            P2P listen address (default 0.0.0.0:7071); a specific IP is
                                        also the source IP of every dial
          --debug-listen HOST:PORT|off  HTTP debug endpoint (default 127.0.0.1:7070)
          --peer HOST:PORT              dial now and persist (source direct); repeatable; a host name is
                                        resolved off the reactor, again while its dials fail
          --seed HOST:PORT              bootstrap peer (source seed; host names as for --peer); repeatable
          --data-dir PATH               peer book, cookie, diagnostics (default ./meshnode_data_<port>,
                                        or ./meshnode_data_<ip>_<port> when --listen names an IP)
          --chain-id ID                 must match the peer's (default mainnet)
          --genesis HEX64               genesis hash; must match
          --min-outbound N              outbound target (default 8)
          --max-peers N                 inbound + outbound limit (default 16, env MESHNODE_MAX_PEERS)
          --max-receive-buffer BYTES    payload bytes queued per peer before its socket is no longer
                                        read (default 5242880, env MESHNODE_MAX_RECEIVE_BUFFER)
          --max-send-buffer BYTES       bytes queued to a peer before its requests wait; 4x this, or
                                        30 s above it, drops it as slow_peer (default 1048576,
                                        env MESHNODE_MAX_SEND_BUFFER)
          --tick SECONDS                maintainer cycle (default 30; fractions allowed)
          --ping-interval SECONDS       default 15
          --ping-timeout SECONDS        default 45
          --dial-timeout SECONDS        default 5
          --handshake-timeout SECONDS   default 5
          --cooldown SECONDS            first cooldown after a failure (default 30; doubles to 1 h)
          --lan                         allow loopback and private peer addresses
          --ipv4-only                   skip IPv6 peers
          --log-level LEVEL             trace|debug|info|warning|error (default info)
          --log-format FORMAT           json|text (default: text on a terminal, else json)
          --mesh-sibling IP:PORT        debug endpoint of another node of this testnet: the dashboard's
                                        graph (GET /api/p2p/mesh) adds its sessions; repeatable, at
                                        most 64 (meshnode testnet passes them)

        options of status, diagnose, why, connect, disconnect, ban, unban, bans:
          --debug-url URL               the node's debug endpoint (default http://127.0.0.1:7070,
                                        env MESHNODE_DEBUG_URL)
        and of connect, disconnect, ban, unban, bans (which send the node's cookie):
          --cookie-file PATH            default <data-dir>/.cookie
          --data-dir PATH               the node's data dir (default as run names it from --listen)
          --listen HOST:PORT            the node's --listen, to find its default data dir
        """

    /// A usage error, printed as one line.
    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    static let valueFlags = [
        "--config", "--debug-listen", "--listen", "--peer", "--seed", "--data-dir", "--chain-id", "--genesis",
        "--min-outbound", "--max-peers", "--max-receive-buffer", "--max-send-buffer",
        "--tick", "--ping-interval", "--ping-timeout", "--dial-timeout", "--handshake-timeout", "--cooldown",
        "--log-level", "--log-format", "--mesh-sibling",
    ]
    static let switchFlags = ["--lan", "--ipv4-only", "--help", "--version", "--debug-url"]
    static let defaultDebugURL = "http://127.0.0.1:7070"

    static func parse(
        _ arguments: [String], environment: (String) -> String? = Posix.environment,
        fileExists: (String) -> Bool = { (try? Posix.readFile($0, maximumBytes: 0)) != nil }
    ) throws(UsageError) -> Command {
        var arguments = arguments[...]
        if arguments.first == "status" || arguments.first == "diagnose" {
            let command = arguments.removeFirst()
            var url = environment("MESHNODE_DEBUG_URL") ?? defaultDebugURL
            var watch = false
            var interval: Duration = .seconds(2)
            let takes = command == "status" ? "--debug-url URL, --watch, --interval S" : "--debug-url URL"
            while let flag = arguments.popFirst() {
                switch flag {
                case "--debug-url":
                    guard let value = arguments.popFirst() else {
                        throw UsageError(description: "--debug-url needs a value")
                    }
                    url = value
                case "--watch" where command == "status": watch = true
                case "--interval" where command == "status":
                    guard let value = arguments.popFirst() else {
                        throw UsageError(description: "--interval needs a value")
                    }
                    interval = try seconds("--interval", value)
                    // Each screen costs the node two snapshots: no faster than ten a second.
                    guard interval >= .milliseconds(100) else {
                        throw UsageError(description: "--interval: at least 0.1 seconds, got '\(value)'")
                    }
                    watch = true
                case "-h", "--help": return .help
                default:
                    throw UsageError(description: "\(command): unknown option '\(flag)' (it takes \(takes))")
                }
            }
            return command == "status"
                ? .status(debugURL: url, watch: watch ? interval : nil) : .diagnose(debugURL: url)
        }
        if arguments.first == "why" {
            return try parseWhy(arguments.dropFirst(), environment: environment)
        }
        if arguments.first == "testnet" {
            let rest = arguments.dropFirst()
            if rest.contains("-h") || rest.contains("--help") { return .help }
            return .testnet(try TestnetCommand.parse(rest))
        }
        if let name = arguments.first, ControlCommand.names.contains(name) {
            let rest = arguments.dropFirst()
            if rest.contains("-h") || rest.contains("--help") { return .help }
            return .control(try ControlCommand.parse(name, rest, environment: environment))
        }
        if arguments.first == "run" { arguments = arguments.dropFirst() }
        // First collect the command line, then apply: defaults < config file < environment < flags.
        var flags: [(String, String?)] = []
        var configPath: String?
        while let flag = arguments.popFirst() {
            switch flag {
            case "-h", "--help": return .help
            case "-V", "--version": return .version
            case "--lan", "--ipv4-only": flags.append((flag, nil))
            default:
                guard valueFlags.contains(flag) else {
                    let hint = closestFlag(to: flag).map { "; did you mean \($0)?" } ?? ""
                    throw UsageError(description: "unknown option '\(flag)'\(hint) (see meshnode --help)")
                }
                guard let value = arguments.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
                if flag == "--config" { configPath = value } else { flags.append((flag, value)) }
            }
        }
        var options = RunOptions()
        options.node.debugListen = SocketAddress(ip: .v4(0x7F00_0001), port: 7070)
        let path = configPath ?? (fileExists(ConfigFile.defaultPath) ? ConfigFile.defaultPath : nil)
        if let path {
            for (flag, value, line) in try ConfigFile.operations(path: path) {
                do {
                    try apply(flag, value, to: &options)
                    options.node.settingSources[String(flag.dropFirst(2))] = "file"
                } catch {
                    throw UsageError(description: "\(path) line \(line): \(error.description)")
                }
            }
        }
        if let text = environment("MESHNODE_MAX_PEERS") {
            options.node.maximumPeers = try count("MESHNODE_MAX_PEERS", text, in: NodeConfiguration.maximumPeersRange)
            options.node.settingSources["max-peers"] = "env"
        }
        if let text = environment("MESHNODE_MAX_RECEIVE_BUFFER") {
            options.node.maximumReceiveBuffer = try count(
                "MESHNODE_MAX_RECEIVE_BUFFER", text, in: NodeConfiguration.bufferBytesRange)
            options.node.settingSources["max-receive-buffer"] = "env"
        }
        if let text = environment("MESHNODE_MAX_SEND_BUFFER") {
            options.node.maximumSendBuffer = try count(
                "MESHNODE_MAX_SEND_BUFFER", text, in: NodeConfiguration.bufferBytesRange)
            options.node.settingSources["max-send-buffer"] = "env"
        }
        for (flag, value) in flags {
            try apply(flag, value, to: &options)
            options.node.settingSources[String(flag.dropFirst(2))] = "flag"  // GET /api/p2p/config says so
        }
        return .run(options)
    }

    /// `why IP [--debug-url URL]`: one numeric IP (it becomes part of the request's path).
    private static func parseWhy(_ arguments: ArraySlice<String>, environment: (String) -> String?)
        throws(UsageError) -> Command
    {
        var arguments = arguments
        var url = environment("MESHNODE_DEBUG_URL") ?? defaultDebugURL
        var ip: String?
        while let argument = arguments.popFirst() {
            switch argument {
            case "-h", "--help": return .help
            case "--debug-url":
                guard let value = arguments.popFirst() else {
                    throw UsageError(description: "--debug-url needs a value")
                }
                url = value
            default:
                guard !argument.hasPrefix("-"), ip == nil else {
                    throw UsageError(description: "why: unexpected '\(argument)' (it takes IP [--debug-url URL])")
                }
                ip = argument
            }
        }
        guard let ip else { throw UsageError(description: "why: expected the peer's IP (meshnode why IP)") }
        guard ip.utf8.count <= 64, ip.utf8.allSatisfy({ whyAddressCharacters.contains($0) }),
            IPAddress(parsing: ip) != nil
        else {
            throw UsageError(description: "why: '\(ip)' is not a numeric IPv4 or IPv6 address (give the IP, no port)")
        }
        do {
            _ = try DebugURL(parsing: url)
        } catch {
            throw UsageError(description: "why: \(error)")
        }
        return .why(ip: ip, debugURL: url)
    }

    /// Bytes of a numeric IPv4 or IPv6 address: nothing else reaches the request line.
    private static let whyAddressCharacters = Set("0123456789abcdefABCDEF:.".utf8)

    private static func apply(_ flag: String, _ value: String?, to options: inout RunOptions) throws(UsageError) {
        guard let value else {
            if flag == "--lan" { options.node.lan = true }
            if flag == "--ipv4-only" { options.node.ipv4Only = true }
            return
        }
        switch flag {
        case "--listen": options.node.listen = try address(flag, value)
        case "--debug-listen": options.node.debugListen = value == "off" ? nil : try address(flag, value)
        case "--peer", "--seed":
            let source: PeerSource = flag == "--peer" ? .direct : .seed
            switch try peerAddress(flag, value) {
            case .numeric(let address):
                if source == .direct {
                    options.node.directPeers.append(address)
                } else {
                    options.node.seeds.append(address)
                }
            case .name(let host, let port):
                options.namedPeers.append(NamedPeer(host: host, port: port, source: source))
            }
        case "--data-dir": options.node.dataDirectory = value
        case "--chain-id":
            guard !value.isEmpty, value.utf8.count <= 64 else {
                throw UsageError(description: "--chain-id: 1 to 64 bytes, got '\(value)'")
            }
            options.node.chainID = value
        case "--genesis":
            guard let hash = GenesisHash(hex: value) else {
                throw UsageError(description: "--genesis: expected 64 hex digits, got '\(value)'")
            }
            options.node.genesis = hash
        case "--min-outbound":
            options.node.minimumOutbound = try count(flag, value, in: NodeConfiguration.minimumOutboundRange)
        case "--max-peers": options.node.maximumPeers = try count(flag, value, in: NodeConfiguration.maximumPeersRange)
        case "--max-receive-buffer":
            options.node.maximumReceiveBuffer = try count(flag, value, in: NodeConfiguration.bufferBytesRange)
        case "--max-send-buffer":
            options.node.maximumSendBuffer = try count(flag, value, in: NodeConfiguration.bufferBytesRange)
        case "--tick": options.node.tick = try seconds(flag, value)
        case "--ping-interval": options.node.pingInterval = try seconds(flag, value)
        case "--ping-timeout": options.node.pingTimeout = try seconds(flag, value)
        case "--dial-timeout": options.node.dialTimeout = try seconds(flag, value)
        case "--handshake-timeout": options.node.handshakeTimeout = try seconds(flag, value)
        case "--cooldown": options.node.cooldownBase = try seconds(flag, value)
        case "--mesh-sibling":
            // Numeric only: the node asks it for its view, and a name would mean a DNS lookup.
            let sibling = try address(flag, value)
            guard sibling.port > 0 else {
                throw UsageError(description: "\(flag): '\(value)': the port must be 1-65535")
            }
            guard !options.node.meshSiblings.contains(sibling) else { return }
            guard options.node.meshSiblings.count < MeshCollector.maximumSiblings else {
                throw UsageError(description: "\(flag): at most \(MeshCollector.maximumSiblings) siblings")
            }
            options.node.meshSiblings.append(sibling)
        case "--log-level":
            guard let level = LogLevel(name: value) else {
                throw UsageError(description: "--log-level: '\(value)' is not trace|debug|info|warning|error")
            }
            options.logLevel = level
        case "--log-format":
            guard let format = Logger.Format(rawValue: value) else {
                throw UsageError(description: "--log-format: '\(value)' is not json|text")
            }
            options.logFormat = format
        default: break
        }
    }

    private static func address(_ flag: String, _ value: String) throws(UsageError) -> SocketAddress {
        do {
            return try SocketAddress(parsing: value)
        } catch {
            throw UsageError(description: "\(flag): \(error)")
        }
    }

    /// `HOST:PORT` for `--peer` and `--seed`: a numeric address, or a host name (RFC 1123
    /// letters, digits, `-`, `.`, `_`; at most 253 bytes) resolved later, off the reactor.
    static func peerAddress(_ flag: String, _ value: String) throws(UsageError) -> PeerAddress {
        if let numeric = try? SocketAddress(parsing: value) {
            guard numeric.port > 0 else {
                throw UsageError(description: "\(flag): '\(value)': the port must be 1-65535")
            }
            return .numeric(numeric)
        }
        guard let colon = value.lastIndex(of: ":"), colon != value.startIndex,
            let port = UInt16(value[value.index(after: colon)...]), port > 0
        else {
            throw UsageError(description: "\(flag): '\(value)' is not HOST:PORT (a name or IP, and a port 1-65535)")
        }
        let host = value[..<colon]
        let allowed = host.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        }
        guard allowed, host.utf8.count <= 253, !host.hasPrefix("-"), !host.hasPrefix(".") else {
            throw UsageError(
                description: "\(flag): '\(value)' is not HOST:PORT (HOST: a numeric IP, [IPv6], or a host name)")
        }
        return .name(String(host), port)
    }

    /// What `--peer`/`--seed` named.
    enum PeerAddress: Equatable {
        case numeric(SocketAddress)
        case name(String, UInt16)
    }

    /// A whole number in `range`; anything else (words, signs, fractions, numbers too large for
    /// an `Int`) is refused with the range.
    static func count(_ flag: String, _ value: String, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw UsageError(
                description: "\(flag): expected a whole number from \(range.lowerBound) to \(range.upperBound), "
                    + "got '\(value)'")
        }
        return number
    }

    /// Seconds in ``NodeConfiguration/secondsRange``, written as a plain decimal number
    /// (`30`, `0.2`, `1.5e1`); `nan`, `inf`, hex and out-of-range values are refused, so the
    /// conversion to nanoseconds can never overflow.
    static func seconds(_ flag: String, _ value: String) throws(UsageError) -> Duration {
        let range = NodeConfiguration.secondsRange
        guard isDecimalNumber(value), let number = Double(value), range.contains(number) else {
            throw UsageError(
                description: "\(flag): expected seconds from \(range.lowerBound) to \(Int(range.upperBound)) "
                    + "(fractions allowed), got '\(value)'")
        }
        return .nanoseconds(Int64((number * 1e9).rounded()))
    }

    /// `digits [. digits] [(e|E) [+|-] digits]`: what an operator writes for a number.
    static func isDecimalNumber(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        func digits() -> Bool {
            let count = bytes.prefix { (0x30...0x39).contains($0) }.count
            bytes = bytes.dropFirst(count)
            return count > 0
        }
        guard digits() else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() else { return false }
        }
        return bytes.isEmpty
    }

    /// The known flag nearest to `flag` by edit distance, if reasonably near.
    static func closestFlag(to flag: String) -> String? {
        let candidates = valueFlags + switchFlags
        let scored = candidates.map { ($0, editDistance(Array(flag.utf8), Array($0.utf8))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, flag.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

/// Options of `meshnode run`.
struct RunOptions {
    var node = NodeConfiguration()
    var logLevel = LogLevel.info
    var logFormat: Logger.Format?
    /// `--peer` and `--seed` given as host names: resolved at start and again while their
    /// dials fail (``NamedPeerResolver``).
    var namedPeers: [NamedPeer] = []
}

/// A `--peer` or `--seed` given by name.
struct NamedPeer: Equatable, Sendable {
    var host: String
    var port: UInt16
    var source: PeerSource

    var description: String { "\(host):\(port)" }
}
