import Diagnostics
import Wire

/// `meshnode why IP`: every decision the node made about one peer (`GET /api/p2p/why/IP`),
/// one line each, newest last, for a person: times as ages and UTC, sessions with their
/// length and who ended them, the holds (cooldown, ban, flapping) with their end.
enum WhyCommand {
    /// Asks the node and prints the answer. 0 when the node knows the peer; 1 for an unknown
    /// peer (404), an address the node refuses (400) or a node that does not answer; 2 for a
    /// bad URL.
    static func run(
        ip: String, url: String, output: (String) -> Void = { Posix.writeLine(Posix.standardOutput, $0) },
        errors: (String) -> Void = { Posix.writeLine(Posix.standardError, $0) }
    ) -> Int32 {
        let client: DebugClient
        do {
            client = try DebugClient(url: url)
        } catch {
            errors("meshnode why: \(error)")
            return 2
        }
        let response: HTTPResponseParser.Response
        do {
            response = try client.http.send(method: "GET", path: "/api/p2p/why/" + ip, headers: [], body: nil)
        } catch {
            errors("meshnode why: \(error)")
            return 1
        }
        let json = try? JSONValue.parse(response.body)
        switch response.status {
        case 200:
            guard let json, json.objectValue != nil else {
                errors("meshnode why: the node's answer is not a JSON object")
                return 1
            }
            let now = Double(Posix.wallClockNanoseconds()) / 1e9
            for line in render(json, now: now) { output(line) }
            return 0
        case 404 where (json?["error"]?.stringValue ?? "").hasPrefix("no route"):
            // A node from before the route answers every unknown path so.
            errors("meshnode why: the node has no /api/p2p/why route (an older meshnode): upgrade it")
            return 1
        case 404:
            errors("meshnode why: the node knows nothing of \(ip): no decision about it and not in its peer book")
            return 1
        case 400:
            errors("meshnode why: '\(ip)' is not a numeric IPv4 or IPv6 address (give the peer's IP, without a port)")
            return 1
        default:
            let message =
                json?["error"]?.stringValue ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            errors("meshnode why: the node answered \(response.status): \(message)")
            return 1
        }
    }

    /// The lines for a person: a header (who, how known, the session now, the holds in force,
    /// the disconnect ledger), then one line per decision, oldest first and newest last.
    /// `now` is the caller's clock (unix seconds), for the ages.
    static func render(_ why: JSONValue, now: Double) -> [String] {
        let ip = why["ip"]?.stringValue ?? "?"
        var header = ip
        var known: [String] = []
        if let address = why["address"]?.stringValue { known.append("listens on \(address)") }
        if let source = why["source"]?.stringValue { known.append("known from \(source)") }
        header += known.isEmpty ? " (not in the peer book)" : " (" + known.joined(separator: ", ") + ")"
        var lines = [header]
        if why["connected"]?.boolValue == true {
            let direction = why["direction"]?.stringValue ?? "?"
            var line = "  now: connected, \(direction)"
            if let since = why["connected_since_unix"]?.doubleValue {
                line += ", for \(StatusCommand.duration(now - since)) (since \(time(since)))"
            }
            lines.append(line)
        } else {
            lines.append("  now: not connected")
        }
        let holds: [(String, String)] = [
            ("cooldown_until_unix", "cooling down after a failure"),
            ("banned_until_unix", "banned"), ("flapping_until_unix", "held off as flapping"),
        ]
        for (key, label) in holds {
            guard let until = why[key]?.doubleValue else { continue }
            lines.append("  \(label) until \(time(until)) (\(relative(until, now: now)))")
        }
        if let failures = why["failures"]?.intValue, failures > 0 {
            lines.append("  failures in a row: \(failures)")
        }
        if let ledger = why["disconnects"], ledger.objectValue != nil {
            let parts = (ledger["by_reason"]?.arrayValue ?? []).map { tally in
                let reason = tally["reason"]?.stringValue ?? "?"
                return "\(reason) \(endedBy(tally["side"]?.stringValue)) ×\(max(0, tally["count"]?.intValue ?? 0))"
            }
            if !parts.isEmpty { lines.append("  sessions ended: " + parts.joined(separator: ", ")) }
        }
        let decisions = why["decisions"]?.arrayValue ?? []
        guard !decisions.isEmpty else {
            lines.append("  no decisions recorded")
            return lines
        }
        lines.append("  decisions (oldest first, newest last):")
        for decision in decisions {
            let at = decision["ts_unix"]?.doubleValue ?? 0
            var line = "  " + relative(at, now: now).padding(10) + time(at).padding(21) + describe(decision, now: now)
            let repeats = decision["repeats"]?.intValue ?? 1
            if repeats > 1, let last = decision["last_unix"]?.doubleValue {
                line += " (×\(repeats), last \(relative(last, now: now)))"
            }
            lines.append(line)
        }
        return lines
    }

    /// One decision as words; an event this version does not know is shown with its fields.
    static func describe(_ decision: JSONValue, now: Double) -> String {
        let event = decision["event"]?.stringValue ?? "?"
        let reason = decision["reason"]?.stringValue ?? "?"
        func until(_ key: String) -> String {
            decision[key]?.doubleValue.map { " until \(time($0)) (\(relative($0, now: now)))" } ?? ""
        }
        switch event {
        case "skipped": return "skipped: \(reason)"
        case "dialed": return "dialed (source \(decision["source"]?.stringValue ?? "?"))"
        case "dial_failed": return "dial failed: \(reason)" + cooldown(decision, now: now)
        case "handshake_failed": return "handshake failed: \(reason)" + cooldown(decision, now: now)
        case "inbound_handshake_failed": return "its inbound handshake failed: \(reason)"
        case "connected": return "connected, \(decision["direction"]?.stringValue ?? "?")"
        case "disconnected":
            var text = "session ended: \(reason), \(endedBy(decision["side"]?.stringValue))"
            if let said = decision["remote_reason"]?.stringValue { text += " (they said \(said))" }
            if let seconds = decision["session_seconds"]?.doubleValue {
                text += ", after \(StatusCommand.duration(seconds))"
            }
            return text
        case "banned": return "banned: \(reason)" + until("until_unix")
        case "flapping": return "held off as flapping" + until("until_unix")
        default:
            return event
                + ControlCommand.others(decision, known: ["ts_unix", "event", "repeats", "last_unix"])
        }
    }

    private static func cooldown(_ decision: JSONValue, now: Double) -> String {
        guard let until = decision["cooldown_until_unix"]?.doubleValue else { return "" }
        return "; cooldown until \(time(until)) (\(relative(until, now: now)))"
    }

    /// Who ended a session, from the ledger's `side`.
    static func endedBy(_ side: String?) -> String {
        switch side {
        case "local": return "ended by us"
        case "remote": return "ended by them"
        default: return "ended by \(side ?? "?")"
        }
    }

    /// `5s ago`, `in 3m7s`, `now`.
    static func relative(_ unix: Double, now: Double) -> String {
        let delta = now - unix
        guard delta.isFinite else { return "?" }
        if abs(delta) < 1 { return "now" }
        return delta > 0 ? "\(StatusCommand.duration(delta)) ago" : "in \(StatusCommand.duration(-delta))"
    }

    /// Unix seconds as UTC to the second (`2026-12-01T23:41:07Z`), whatever the number.
    static func time(_ unix: Double) -> String {
        let seconds = unix.isFinite ? Int(max(0, min(unix, 1e15))) : 0
        let text = ControlCommand.time(unix: seconds)
        // Drop the milliseconds: ".000Z" → "Z".
        guard text.hasSuffix("Z"), let dot = text.lastIndex(of: ".") else { return text }
        return String(text[..<dot]) + "Z"
    }
}
