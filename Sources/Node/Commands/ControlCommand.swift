import Actors
import Diagnostics
import Wire

/// `meshnode connect|disconnect|ban|unban|bans`: the debug endpoint's operator routes from the
/// shell, authenticated with the node's cookie (`<data-dir>/.cookie`), as `bitcoin-cli` does
/// with bitcoind's.
struct ControlCommand: Equatable {
    enum Action: Equatable {
        case connect(peer: String, persist: Bool)
        case disconnect(ip: String)
        case ban(ip: String, seconds: Int)
        case unban(ip: String)
        case bans

        /// The command's name.
        var name: String {
            switch self {
            case .connect: return "connect"
            case .disconnect: return "disconnect"
            case .ban: return "ban"
            case .unban: return "unban"
            case .bans: return "bans"
            }
        }
    }

    var action: Action
    var debugURL: String
    /// Where the cookie is read from.
    var cookieFile: String

    static let names = ["connect", "disconnect", "ban", "unban", "bans"]
    /// `ban` without `--seconds`: a day, as bitcoind's default `-bantime`.
    static let defaultBanSeconds = 86_400
    /// `--seconds`: one second to the longest ban the peer book keeps (ten years).
    static let banSecondsRange: ClosedRange<Int> = 1...Int(PeerBook.maximumBanDuration)

    /// Parses the arguments after the command's name.
    static func parse(
        _ name: String, _ arguments: ArraySlice<String>, environment: (String) -> String?
    ) throws(Command.UsageError) -> ControlCommand {
        func fail(_ why: String) -> Command.UsageError {
            Command.UsageError(description: "\(name): \(why) (see meshnode --help)")
        }
        var arguments = arguments
        var positional: [String] = []
        var debugURL = environment("MESHNODE_DEBUG_URL") ?? Command.defaultDebugURL
        var cookieFile: String?
        var configuration = NodeConfiguration()
        var persist = false
        var seconds: Int?
        while let argument = arguments.popFirst() {
            func value() throws(Command.UsageError) -> String {
                guard let value = arguments.popFirst() else { throw fail("\(argument) needs a value") }
                return value
            }
            switch argument {
            case "--debug-url": debugURL = try value()
            case "--cookie-file": cookieFile = try value()
            case "--data-dir": configuration.dataDirectory = try value()
            case "--listen":
                let text = try value()
                do {
                    configuration.listen = try SocketAddress(parsing: text)
                } catch {
                    throw fail("--listen: \(error)")
                }
            case "--persist" where name == "connect": persist = true
            case "--seconds" where name == "ban":
                seconds = try Command.count("--seconds", try value(), in: banSecondsRange)
            default:
                guard !argument.hasPrefix("-") else { throw fail("unknown option '\(argument)'") }
                positional.append(argument)
            }
        }
        do {
            _ = try DebugURL(parsing: debugURL)
        } catch {
            throw Command.UsageError(description: "\(name): \(error)")
        }
        let expected = name == "bans" ? 0 : 1
        guard positional.count == expected else {
            throw fail(expected == 0 ? "takes no arguments" : "expected one \(name == "connect" ? "HOST:PORT" : "IP")")
        }
        let action: Action
        switch name {
        case "connect":
            try checkPeerAddress(positional[0], fail)
            action = .connect(peer: positional[0], persist: persist)
        case "bans": action = .bans
        default:
            let ip = positional[0]
            guard IPAddress(parsing: ip) != nil else { throw fail("'\(ip)' is not a numeric IPv4 or IPv6 address") }
            switch name {
            case "disconnect": action = .disconnect(ip: ip)
            case "ban": action = .ban(ip: ip, seconds: seconds ?? defaultBanSeconds)
            default: action = .unban(ip: ip)
            }
        }
        return ControlCommand(
            action: action, debugURL: debugURL,
            cookieFile: cookieFile ?? configuration.resolvedDataDirectory + "/.cookie")
    }

    /// `HOST:PORT` (a name, IPv4 or `[IPv6]`, and a port 1-65535); `run` resolves a name.
    private static func checkPeerAddress(_ text: String, _ fail: (String) -> Command.UsageError)
        throws(Command.UsageError)
    {
        if let address = try? SocketAddress(parsing: text) {
            guard address.port > 0 else { throw fail("'\(text)': the port must be 1-65535") }
            return
        }
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, !text.hasPrefix("["),
            let port = UInt16(text[text.index(after: colon)...]), port > 0,
            !text[..<colon].contains(":")
        else { throw fail("'\(text)' is not HOST:PORT") }
    }

    /// The route, method and body this action sends (INTERFACE.md, HTTP debug endpoint).
    var request: (method: String, path: String, body: JSONValue?) {
        switch action {
        case .connect(let peer, let persist):
            return ("POST", "/api/p2p/connect", .object([("peer_addr", .string(peer)), ("persist", .bool(persist))]))
        case .disconnect(let ip): return ("POST", "/api/p2p/disconnect", .object([("ip", .string(ip))]))
        case .ban(let ip, let seconds):
            return ("POST", "/api/p2p/ban", .object([("ip", .string(ip)), ("seconds", .int(seconds))]))
        case .unban(let ip): return ("POST", "/api/p2p/unban", .object([("ip", .string(ip))]))
        case .bans: return ("GET", "/api/p2p/bans", nil)
        }
    }

    /// Reads the cookie, sends the request, prints the answer. 0 on success, 1 otherwise (the
    /// node unreachable, no cookie, an error status, or a dial that failed), 2 for a bad URL.
    func run(
        output: (String) -> Void = { Posix.writeLine(Posix.standardOutput, $0) },
        errors: (String) -> Void = { Posix.writeLine(Posix.standardError, $0) },
        resolve: (String) -> Result<[IPAddress], Posix.ResolveError> = Posix.resolveExplaining
    ) -> Int32 {
        let name = action.name
        let client: DebugClient
        do {
            client = try DebugClient(url: debugURL)
        } catch {
            errors("meshnode \(name): \(error)")
            return 2
        }
        // The node's connect route takes a numeric address: a host name is resolved here (the
        // CLI may block; the node's reactor must not), IPv4 first.
        var command = self
        if case .connect(let peer, let persist) = action, (try? SocketAddress(parsing: peer)) == nil,
            let colon = peer.lastIndex(of: ":"), let port = UInt16(peer[peer.index(after: colon)...])
        {
            switch resolve(String(peer[..<colon])) {
            case .failure(let error):
                errors("meshnode connect: \(error)")
                return 1
            case .success(let ips):
                guard let ip = ips.first(where: \.isIPv4) ?? ips.first else {
                    errors("meshnode connect: \(peer[..<colon]) has no address")
                    return 1
                }
                command.action = .connect(peer: SocketAddress(ip: ip, port: port).description, persist: persist)
            }
        }
        let cookie: String?
        switch readCookie() {
        case .success(let text): cookie = text
        case .failure(let why):
            // Reading the ban list changes nothing: try it without the cookie.
            guard action == .bans else {
                errors("meshnode \(name): \(why)")
                return 1
            }
            cookie = nil
        }
        let (method, path, body) = command.request
        do {
            let answer = try client.call(method, path, body: body, cookie: cookie)
            let (lines, succeeded) = command.describe(answer)
            for line in lines { output(line) }
            return succeeded ? 0 : 1
        } catch {
            errors("meshnode \(name): \(error)")
            return 1
        }
    }

    /// The cookie file's content without surrounding whitespace, or why it cannot be used.
    func readCookie() -> Result<String, Command.UsageError> {
        let fix = "give the node's --data-dir or --cookie-file PATH"
        let bytes: [UInt8]?
        do {
            bytes = try Posix.readFile(cookieFile, maximumBytes: 4096)
        } catch {
            return .failure(.init(description: "cannot read the cookie file \(cookieFile) (\(error)): \(fix)"))
        }
        guard let bytes else {
            return .failure(
                .init(description: "no cookie file at \(cookieFile) (is the node running with that data dir?): \(fix)"))
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        guard !text.isEmpty, text.utf8.count <= 1024, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(.init(description: "the cookie file \(cookieFile) does not hold a cookie: \(fix)"))
        }
        return .success(text)
    }

    /// The answer for a person, and whether the action did what was asked. Fields this
    /// version does not know are shown as `key=value` rather than dropped.
    func describe(_ answer: JSONValue) -> (lines: [String], succeeded: Bool) {
        switch action {
        case .connect(let peer, let persist):
            let address = answer["peer_addr"]?.stringValue ?? peer
            if answer["connected"]?.boolValue == false {
                let reason = answer["reason"]?.stringValue ?? "unknown reason"
                let detail = answer["detail"]?.stringValue.map { " (\($0))" } ?? ""
                return (["could not connect to \(address): \(reason)\(detail)"], false)
            }
            return (["connected to \(address)" + (persist ? "; kept as a direct peer" : "")], true)
        case .disconnect(let ip):
            return (["disconnected \(ip)" + Self.others(answer, known: ["ip", "disconnected"])], true)
        case .ban(let ip, let seconds):
            var line = "banned \(ip) for \(seconds) s"
            if let until = answer["banned_until_unix"]?.intValue { line += ", until \(Self.time(unix: until))" }
            if answer["disconnected"]?.boolValue == true { line += "; its session was closed" }
            return ([line + Self.others(answer, known: ["ip", "banned_until_unix", "disconnected"])], true)
        case .unban(let ip):
            return (["unbanned \(ip)" + Self.others(answer, known: ["ip", "unbanned"])], true)
        case .bans:
            let list = answer["bans"]?.arrayValue ?? answer.arrayValue ?? []
            guard !list.isEmpty else { return (["no bans"], true) }
            return (
                list.map { ban in
                    var line = "  " + (ban["ip"]?.stringValue ?? "?")
                    if let until = ban["banned_until_unix"]?.intValue { line += " until \(Self.time(unix: until))" }
                    if let reason = ban["reason"]?.stringValue { line += " (\(reason))" }
                    return line + Self.others(ban, known: ["ip", "banned_until_unix", "reason"])
                }, true
            )
        }
    }

    /// ` key=value` for each member of `answer` not in `known`.
    static func others(_ answer: JSONValue, known: Set<String>) -> String {
        (answer.objectValue ?? []).filter { !known.contains($0.0) }.map { " \($0.0)=\(oneLine($0.1))" }.joined()
    }

    /// Unix seconds as ISO 8601 UTC, whatever the number (clamped to the representable).
    static func time(unix seconds: Int) -> String {
        let clamped = UInt64(min(max(0, seconds), Int(UInt64.max / 1_000_000_000)))
        return Timestamp.format(unixNanoseconds: clamped * 1_000_000_000)
    }

    /// A value on one line: strings bare, anything else as compact JSON.
    static func oneLine(_ value: JSONValue) -> String {
        value.stringValue ?? value.render()
    }
}
