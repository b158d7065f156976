import Diagnostics
import Wire

/// `meshnode status`: one screen from the debug endpoint.
enum StatusCommand {
    static func run(url: String) -> Int32 {
        do {
            let client = try DebugClient(url: url)
            let debug = try client.json("/api/p2p/debug")
            let reasons = try client.json("/api/p2p/reasons")
            Posix.writeLine(Posix.standardOutput, render(debug: debug, reasons: reasons, url: url))
            return 0
        } catch {
            Posix.writeLine(Posix.standardError, "meshnode status: \(error)")
            return 1
        }
    }

    /// `--watch`: a new screen every `interval` until Ctrl-C. On a terminal each screen
    /// replaces the last (like `watch`, or `bitcoin-cli -netinfo` in a loop); into a pipe or a
    /// file, screens follow each other separated by a blank line. A node that does not answer
    /// is shown as such, and the watch goes on.
    static func watch(url: String, interval: Duration) -> Int32 {
        let latch = SignalLatch()
        defer { latch.cancel() }
        let terminal = Posix.isTerminal(Posix.standardOutput)
        repeat {
            let screen: String
            do {
                let client = try DebugClient(url: url)
                screen = render(
                    debug: try client.json("/api/p2p/debug"), reasons: try client.json("/api/p2p/reasons"), url: url)
            } catch {
                screen = "meshnode status (\(url))\n\n\(error)"
            }
            Posix.printFlushed(frame(screen, interval: interval, terminal: terminal))
        } while latch.wait(upTo: interval) == nil
        return 0
    }

    /// One screen of `--watch`: cleared and drawn from the top on a terminal (ESC[H ESC[2J),
    /// else followed by a blank line.
    static func frame(_ screen: String, interval: Duration, terminal: Bool) -> String {
        guard terminal else { return screen + "\n" }
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        return "\u{1B}[H\u{1B}[2J" + screen + "\n\nevery \(seconds.formatted(decimals: 1)) s; Ctrl-C stops"
    }

    static func render(
        debug: JSONValue, reasons: JSONValue, url: String,
        now: Double = Double(Posix.wallClockNanoseconds()) / 1e9
    ) -> String {
        let peers = debug["connected_peers"]?.arrayValue ?? []
        let outbound = peers.filter { $0["direction"]?.stringValue == "outbound" }.count
        var lines = ["meshnode status (\(url))", ""]
        lines.append("Peers: \(peers.count) connected (\(outbound) outbound, \(peers.count - outbound) inbound)")
        for peer in peers {
            let address = peer["addr"]?.stringValue ?? "?"
            let direction = peer["direction"]?.stringValue ?? "?"
            let rtt = peer["last_rtt_ms"]?.doubleValue.map { $0.formatted(decimals: 2) + " ms" } ?? "—"
            let since = peer["connected_since_unix"]?.doubleValue ?? now
            lines.append(
                "  \(address.padding(24))\(direction.padding(10))rtt \(rtt.padding(10))up \(duration(now - since))")
        }
        let book = debug["peer_book_counts"]
        func count(_ key: String) -> Int { book?[key]?.intValue ?? 0 }
        lines.append("")
        lines.append(
            "Peer book: \(count("total")) known — hot \(count("hot")), warm \(count("warm")), cold \(count("cold"))")
        let tallies = reasons["reasons"]?.arrayValue ?? []
        let blockers = tallies.filter {
            !["already_connected", "already_connecting"].contains($0["reason"]?.stringValue ?? "")
        }
        lines.append(
            "Top blockers (last cycle): "
                + (blockers.isEmpty
                    ? "none"
                    : blockers.prefix(3).map { "\($0["reason"]?.stringValue ?? "?") (\($0["count"]?.intValue ?? 0))" }
                        .joined(separator: ", ")))
        let failures = debug["dial_failures"]?.arrayValue ?? []
        lines.append("")
        lines.append("Recent dial failures (\(failures.count)):")
        for failure in failures.suffix(8) {
            let when = failure["timestamp_unix"]?.doubleValue.map { duration(now - $0) + " ago" } ?? "?"
            lines.append(
                "  \((failure["addr"]?.stringValue ?? "?").padding(24))"
                    + "\((failure["reason"]?.stringValue ?? "?").padding(22))"
                    + "\((failure["source"]?.stringValue ?? "?").padding(11))\(when)")
        }
        return lines.joined(separator: "\n")
    }

    /// `42s`, `3m7s`, `2h5m`; never traps, whatever the endpoint sent.
    static func duration(_ seconds: Double) -> String {
        let total = seconds.isFinite ? Int(max(0, min(seconds, 1e15))) : 0
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(total % 60)s" }
        return "\(total / 3600)h\(total / 60 % 60)m"
    }
}
