import Diagnostics
import Wire

/// Two patterns `diagnose` reads beyond the tallies: our chain refused by every peer, and
/// peers that keep connecting and dropping (flapping).
extension DiagnoseCommand {
    /// Handshake refusals that mean the two nodes are not on the same network.
    static let chainMismatches: [(reason: String, what: String, flag: String)] = [
        ("chain_id_mismatch", "chain id", "--chain-id"), ("genesis_mismatch", "genesis", "--genesis"),
        ("version_mismatch", "protocol version", "the meshnode version"),
        ("incompatible_chain", "chain", "--chain-id / --genesis"),
    ]
    /// How many of the most recent handshake failures are read.
    static let recentHandshakes = 10

    /// When most of the recent handshake failures in the ring are chain, genesis or version
    /// mismatches and they come from at least two different peers, the odd one out is this
    /// node: "every peer disagrees with our chain id: check ours". One peer on another
    /// network is that peer's business (handshakeAdvice says so).
    static func chainAdvice(debug: JSONValue) -> String? {
        let handshakeReasons = Set(ReasonCode.handshakeReasons.map(\.rawValue))
        let recent = (debug["dial_failures"]?.arrayValue ?? []).compactMap { failure -> (ip: String, reason: String)? in
            guard let reason = failure["reason"]?.stringValue, handshakeReasons.contains(reason) else { return nil }
            return (host(of: failure["addr"]?.stringValue ?? ""), reason)
        }
        .suffix(recentHandshakes)
        let mismatched = recent.filter { failure in chainMismatches.contains { $0.reason == failure.reason } }
        let peers = Set(mismatched.map(\.ip))
        guard mismatched.count * 2 > recent.count, peers.count >= 2 else { return nil }
        let seen = chainMismatches.filter { kind in mismatched.contains { $0.reason == kind.reason } }
        let what = seen.map(\.what).joined(separator: " or ")
        let flags = seen.map(\.flag).joined(separator: ", ")
        let reasons = seen.map(\.reason).joined(separator: "/")
        return "every peer disagrees with our \(what): check ours (\(flags); the settings in force are in "
            + "GET /api/p2p/config): \(reasons) from \(peers.count) different peers, \(mismatched.count) of the last "
            + "\(recent.count) handshake failures"
    }

    /// Peers that connected and dropped more than 5 times in 10 minutes (the funnel's
    /// `flapping` list, or `flapping` skips in the tallies), with the latest end of a hold.
    static func flappingAdvice(_ facts: Facts, funnel: JSONValue?, now: Double) -> String? {
        let held = (funnel?["flapping"]?.arrayValue ?? []).compactMap { entry -> (ip: String, until: Double?)? in
            guard let ip = entry["ip"]?.stringValue else { return nil }
            return (ip, entry["until_unix"]?.doubleValue)
        }
        let count = max(held.count, facts.count("flapping"))
        guard count > 0 else { return nil }
        var line = "\(count) peers flapping (connected and dropped more than 5 times in 10 minutes)"
        if let until = held.compactMap(\.until).max() {
            line += ", held off until \(WhyCommand.time(until)) (\(WhyCommand.relative(until, now: now)))"
        }
        let example = held.first?.ip ?? facts.samples["flapping"]?.first.map(host) ?? "IP"
        return line + ": `meshnode why \(example)` shows each session and who ended it; two nodes behind one IP "
            + "that keep replacing each other look like this"
    }

    /// The host of `HOST:PORT` or `[IPv6]:PORT` (the text itself without a port).
    static func host(of address: String) -> String {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<close])
        }
        guard address.filter({ $0 == ":" }).count == 1, let colon = address.firstIndex(of: ":") else { return address }
        return String(address[..<colon])
    }
}
