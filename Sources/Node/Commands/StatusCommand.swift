import Foundation
import Wire

/// `meshnode status`: one screen from the debug endpoint.
enum StatusCommand {
    static func run(url: String) async -> Int32 {
        do {
            let client = try DebugClient(url: url)
            let debug = try await client.json("/api/p2p/debug")
            let reasons = try await client.json("/api/p2p/reasons")
            Posix.writeLine(Posix.standardOutput, render(debug: debug, reasons: reasons, url: url))
            return 0
        } catch {
            Posix.writeLine(Posix.standardError, "meshnode status: \(error)")
            return 1
        }
    }

    static func render(
        debug: [String: Any], reasons: [String: Any], url: String, now: Double = Date().timeIntervalSince1970
    )
        -> String
    {
        let peers = debug["connected_peers"] as? [[String: Any]] ?? []
        let outbound = peers.filter { $0["direction"] as? String == "outbound" }.count
        var lines = ["meshnode status (\(url))", ""]
        lines.append("Peers: \(peers.count) connected (\(outbound) outbound, \(peers.count - outbound) inbound)")
        for peer in peers {
            let address = peer["addr"] as? String ?? "?"
            let direction = peer["direction"] as? String ?? "?"
            let rtt = (peer["last_rtt_ms"] as? Double).map { String(format: "%.2f ms", $0) } ?? "—"
            let since = (peer["connected_since_unix"] as? Double) ?? now
            lines.append(
                "  \(address.padding(24))\(direction.padding(10))rtt \(rtt.padding(10))up \(duration(now - since))")
        }
        let book = debug["peer_book_counts"] as? [String: Any] ?? [:]
        lines.append("")
        lines.append(
            "Peer book: \(book["total"] as? Int ?? 0) known — hot \(book["hot"] as? Int ?? 0), "
                + "warm \(book["warm"] as? Int ?? 0), cold \(book["cold"] as? Int ?? 0)")
        let tallies = reasons["reasons"] as? [[String: Any]] ?? []
        let blockers = tallies.filter {
            !["already_connected", "already_connecting"].contains($0["reason"] as? String ?? "")
        }
        lines.append(
            "Top blockers (last cycle): "
                + (blockers.isEmpty
                    ? "none"
                    : blockers.prefix(3).map { "\($0["reason"] as? String ?? "?") (\($0["count"] as? Int ?? 0))" }
                        .joined(separator: ", ")))
        let failures = debug["dial_failures"] as? [[String: Any]] ?? []
        lines.append("")
        lines.append("Recent dial failures (\(failures.count)):")
        for failure in failures.suffix(8) {
            let when = (failure["timestamp_unix"] as? Double).map { duration(now - $0) + " ago" } ?? "?"
            lines.append(
                "  \((failure["addr"] as? String ?? "?").padding(24))\((failure["reason"] as? String ?? "?").padding(22))"
                    + "\((failure["source"] as? String ?? "?").padding(11))\(when)")
        }
        return lines.joined(separator: "\n")
    }

    static func duration(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(total % 60)s" }
        return "\(total / 3600)h\(total / 60 % 60)m"
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
