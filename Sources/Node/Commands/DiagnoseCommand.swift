import Diagnostics
import Wire

/// `meshnode diagnose`: the answer to "why aren't my peers connecting?" in plain words.
enum DiagnoseCommand {
    static func run(url: String) -> Int32 {
        let client: DebugClient
        do {
            client = try DebugClient(url: url)
        } catch {
            Posix.writeLine(Posix.standardError, "meshnode diagnose: \(error)")
            return 2
        }
        do {
            let debug = try client.json("/api/p2p/debug")
            let reasons = try client.json("/api/p2p/reasons")
            let stats = try client.json("/api/p2p/stats")
            for line in advice(debug: debug, reasons: reasons, stats: stats) {
                Posix.writeLine(Posix.standardOutput, "- " + line)
            }
            return 0
        } catch {
            Posix.writeLine(Posix.standardOutput, "- \(error)")
            return 1
        }
    }

    /// Plain advice from the endpoint's three documents, most important first.
    static func advice(debug: JSONValue, reasons: JSONValue, stats: JSONValue) -> [String] {
        var advice: [String] = []
        let connected = debug["connected_peers"]?.arrayValue?.count ?? 0
        let known = stats["known_peers"]?.intValue ?? 0
        let target = reasons["cycle"]?["target"]?.intValue ?? 0
        var counts: [String: Int] = [:]
        // Counts come from outside: add them without trapping.
        func add(_ reason: String, _ count: Int) {
            let (sum, overflow) = (counts[reason] ?? 0).addingReportingOverflow(max(0, count))
            counts[reason] = overflow ? .max : sum
        }
        for tally in reasons["reasons"]?.arrayValue ?? [] {
            add(tally["reason"]?.stringValue ?? "", tally["count"]?.intValue ?? 0)
        }
        let failures = debug["dial_failures"]?.arrayValue ?? []
        for failure in failures { add(failure["reason"]?.stringValue ?? "", 1) }
        let handshakeReasons = ["genesis_mismatch", "chain_id_mismatch", "version_mismatch", "incompatible_chain"]
        let failureReasons = Set(failures.compactMap { $0["reason"]?.stringValue })

        if known == 0 && connected == 0 {
            advice.append("no peers are known: give --seed HOST:PORT or --peer HOST:PORT, or seed_peers in the config")
        }
        if !failureReasons.isEmpty && failureReasons.count == 1, let only = failureReasons.first,
            handshakeReasons.contains(only)
        {
            let fix =
                only == "genesis_mismatch"
                ? "check --genesis / chain id"
                : only == "chain_id_mismatch" ? "check --chain-id" : "peers run another protocol version: upgrade"
            advice.append("all handshakes fail with \(only): \(fix)")
        } else {
            for reason in handshakeReasons where (counts[reason] ?? 0) > 0 {
                advice.append("\(counts[reason]!) handshakes failed with \(reason): those peers are on another network")
            }
        }
        let rules: [(String, (Int) -> String)] = [
            ("cooldown_active", { "\($0) peers cooling down after failures: normal mesh building" }),
            ("connection_refused", { "\($0) dials refused: those peers are not running or listen on another port" }),
            ("timeout", { "\($0) dials timed out: a firewall drops them, or the addresses are wrong" }),
            ("no_route_to_host", { "\($0) dials found no route: check the network and the addresses" }),
            ("network_unreachable", { "\($0) dials hit an unreachable network: check routing" }),
            ("loopback_blocked", { "\($0) loopback peers skipped: use --lan to allow them" }),
            ("private_ip_blocked", { "\($0) private-address peers skipped: use --lan to allow them" }),
            ("ipv6_blocked", { "\($0) IPv6 peers skipped because of --ipv4-only" }),
            ("max_peers_reached", { "\($0) dials skipped at the peer limit: raise --max-peers if you want more" }),
            ("peer_banned", { "\($0) banned peers skipped (repeated handshake violations)" }),
            ("awaiting_inbound", { "\($0) peers above us get one tick to dial in first: normal" }),
            ("self_dial_blocked", { "\($0) of our own addresses are in the peer book: harmless" }),
        ]
        for (reason, message) in rules where (counts[reason] ?? 0) > 0 {
            advice.append(message(counts[reason]!))
        }
        if target > 0 && connected >= target {
            advice.insert("healthy: \(connected) peers connected (outbound target \(target))", at: 0)
        } else if connected > 0 {
            advice.insert("\(connected) peers connected, below the outbound target of \(target): still building", at: 0)
        }
        if advice.isEmpty { advice.append("nothing looks wrong: \(connected) peers connected") }
        return advice
    }
}
