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
            // An older node has no funnel route: its advice goes without the flapping peers.
            let funnel = try? client.json("/api/p2p/funnel")
            let now = Double(Posix.wallClockNanoseconds()) / 1e9
            for line in advice(debug: debug, reasons: reasons, stats: stats, funnel: funnel, now: now) {
                Posix.writeLine(Posix.standardOutput, "- " + line)
            }
            return 0
        } catch {
            Posix.writeLine(Posix.standardOutput, "- \(error)")
            return 1
        }
    }

    /// Plain advice from the endpoint's three documents, most important first: the first line
    /// always says how many peers are connected and whether that is complete, judged against
    /// what the node can reach (its `--max-peers`, the peers it knows), not the target alone.
    /// `funnel` (`GET /api/p2p/funnel`) names the peers held off as flapping; `now` (unix
    /// seconds) dates their holds.
    static func advice(
        debug: JSONValue, reasons: JSONValue, stats: JSONValue, funnel: JSONValue? = nil, now: Double = 0
    ) -> [String] {
        let facts = Facts(debug: debug, reasons: reasons, stats: stats)
        var advice = [headline(facts)]
        // A chain that every peer refuses is ours to fix: said before anything else.
        let chain = chainAdvice(debug: debug)
        if let chain { advice.append(chain) }
        advice += handshakeAdvice(facts, chainSaid: chain != nil)
        if let flapping = flappingAdvice(facts, funnel: funnel, now: now) { advice.append(flapping) }
        advice += dialAdvice(facts)
        return advice
    }

    /// The numbers the advice is made of. Every count comes from another process: clamped,
    /// summed without trapping.
    struct Facts {
        let connected: Int
        let known: Int
        let banned: Int
        let target: Int
        /// Nil from a node that does not report its limits.
        let maximumPeers: Int?
        let listenPort: Int?
        /// Per reason: the larger of the last cycle's count and the failure ring's (the two
        /// overlap, so they are not added).
        let counts: [String: Int]
        /// Sample addresses per reason (the cycle's, redacted, then the ring's).
        let samples: [String: [String]]
        /// Reasons seen in the failure ring (dials and handshakes that failed).
        let failureReasons: Set<String>

        init(debug: JSONValue, reasons: JSONValue, stats: JSONValue) {
            connected = debug["connected_peers"]?.arrayValue?.count ?? 0
            known = max(0, stats["known_peers"]?.intValue ?? 0)
            banned = max(0, stats["banned"]?.intValue ?? 0)
            let cycle = reasons["cycle"]
            target = max(0, cycle?["target"]?.intValue ?? 0)
            maximumPeers = cycle?["max_peers"]?.intValue.map { max(0, $0) }
            listenPort = cycle?["listen_port"]?.intValue
            var cycleCounts: [String: Int] = [:]
            var ringCounts: [String: Int] = [:]
            var samples: [String: [String]] = [:]
            func add(_ count: Int, to reason: String, in table: inout [String: Int]) {
                let (sum, overflow) = (table[reason] ?? 0).addingReportingOverflow(max(0, count))
                table[reason] = overflow ? .max : sum
            }
            for tally in reasons["reasons"]?.arrayValue ?? [] {
                let reason = tally["reason"]?.stringValue ?? ""
                add(tally["count"]?.intValue ?? 0, to: reason, in: &cycleCounts)
                let texts = (tally["samples"]?.arrayValue ?? []).compactMap(\.stringValue)
                samples[reason, default: []] += texts.prefix(5)
            }
            let failures = debug["dial_failures"]?.arrayValue ?? []
            for failure in failures {
                let reason = failure["reason"]?.stringValue ?? ""
                add(1, to: reason, in: &ringCounts)
                if let address = failure["addr"]?.stringValue, (samples[reason]?.count ?? 0) < 10 {
                    samples[reason, default: []].append(address)
                }
            }
            counts = cycleCounts.merging(ringCounts, uniquingKeysWith: max)
            failureReasons = Set(ringCounts.keys)
            self.samples = samples
        }

        func count(_ reason: String) -> Int { counts[reason] ?? 0 }

        /// Known peers we could be connected to: not banned, not our own IP.
        /// (Each step subtracts one non-negative number from another: it cannot overflow.)
        var reachable: Int { max(0, max(0, known - banned) - count("self_dial_blocked")) }
    }

    /// How many peers, and whether that is all there can be.
    static func headline(_ facts: Facts) -> String {
        let connected = facts.connected
        if connected == 0 {
            guard facts.known > 0 else {
                return "0 peers connected and none known: give --seed HOST:PORT or --peer HOST:PORT, "
                    + "or seed_peers in the config"
            }
            return "0 peers connected (\(facts.known) known): why, below"
        }
        if let limit = facts.maximumPeers, connected >= limit {
            return "healthy: \(connected) peers connected, at the --max-peers limit of \(limit)"
        }
        if facts.target > 0 && connected >= facts.target {
            return "healthy: \(connected) peers connected (outbound target \(facts.target))"
        }
        if facts.known > 0 && connected >= facts.reachable {
            return "healthy: \(connected) peers connected, every peer we know of (\(connected) of \(facts.known) known)"
        }
        guard facts.target > 0 else { return "\(connected) peers connected (no maintainer cycle has finished yet)" }
        let goal = min(facts.target, facts.maximumPeers ?? .max)
        return "\(connected) peers connected, below the outbound target of \(goal): still building"
    }

    /// Handshakes that failed, and what each kind means.
    static func handshakeAdvice(_ facts: Facts, chainSaid: Bool = false) -> [String] {
        var advice: [String] = []
        let mismatches = ["genesis_mismatch", "chain_id_mismatch", "version_mismatch", "incompatible_chain"]
        if chainSaid {
            // chainAdvice has said it, with the counts.
        } else if facts.failureReasons.count == 1, let only = facts.failureReasons.first, mismatches.contains(only) {
            let fix =
                only == "genesis_mismatch"
                ? "check --genesis / chain id"
                : only == "chain_id_mismatch" ? "check --chain-id" : "peers run another protocol version: upgrade"
            advice.append("all handshakes fail with \(only): \(fix)")
        } else {
            for reason in mismatches where facts.count(reason) > 0 {
                advice.append(
                    "\(facts.count(reason)) handshakes failed with \(reason): those peers are on another network")
            }
        }
        let rules: [(String, (Int) -> String)] = [
            (
                "handshake_timeout",
                {
                    "\($0) handshakes timed out (handshake_timeout): the peer took the TCP connection but sent no "
                        + "handshake within --handshake-timeout: it is not a meshnode (check the port), or it is overloaded"
                }
            ),
            ("handshake_error", { "\($0) handshakes failed (handshake_error): the peer sent something unexpected" }),
            (
                "self_connection",
                { "\($0) dials reached this node itself (self_connection): that address is skipped from now on" }
            ),
        ]
        for (reason, message) in rules where facts.count(reason) > 0 { advice.append(message(facts.count(reason))) }
        return advice
    }

    /// Skips and failed dials.
    static func dialAdvice(_ facts: Facts) -> [String] {
        var advice: [String] = []
        let cooling = facts.count("cooldown_active")
        if cooling > 0 {
            advice.append(
                facts.connected == 0
                    ? "\(cooling) peers cooling down after failed dials: retried when the cooldown ends (30 s, doubling "
                        + "to 1 h); the failures below say why; `meshnode connect HOST:PORT` dials one now"
                    : "\(cooling) peers cooling down after failures: normal mesh building")
        }
        let rules: [(String, (Int) -> String)] = [
            ("connection_refused", { "\($0) dials refused: those peers are not running or listen on another port" }),
            ("timeout", { "\($0) dials timed out: a firewall drops them, or the addresses are wrong" }),
            ("no_route_to_host", { "\($0) dials found no route: check the network and the addresses" }),
            ("network_unreachable", { "\($0) dials hit an unreachable network: check routing" }),
            ("loopback_blocked", { "\($0) loopback peers skipped: use --lan to allow them" }),
            ("private_ip_blocked", { "\($0) private-address peers skipped: use --lan to allow them" }),
            ("ipv6_blocked", { "\($0) IPv6 peers skipped because of --ipv4-only" }),
            ("peer_banned", { "\($0) banned peers skipped (protocol violations or an operator ban; meshnode bans)" }),
            ("awaiting_inbound", { "\($0) peers above us get one tick to dial in first: normal" }),
        ]
        for (reason, message) in rules where facts.count(reason) > 0 { advice.append(message(facts.count(reason))) }
        if let full = maxPeersAdvice(facts) { advice.append(full) }
        if let own = selfDialAdvice(facts) { advice.append(own) }
        return advice
    }

    /// `max_peers_reached` is ours only when we are at our own limit; below it, the peers we
    /// dialed were full (they answered with it), and raising our limit would change nothing.
    static func maxPeersAdvice(_ facts: Facts) -> String? {
        let count = facts.count("max_peers_reached")
        guard count > 0 else { return nil }
        if let limit = facts.maximumPeers {
            if facts.connected >= limit {
                return "\(count) dials skipped: we are at our --max-peers limit of \(limit); "
                    + "raise --max-peers if you want more"
            }
            return "\(count) dials refused by peers that are full (max_peers_reached on their side; we have "
                + "\(limit - facts.connected) free slots): they take us when a slot frees; nothing to change here"
        }
        if facts.failureReasons.contains("max_peers_reached") {
            return "\(count) dials refused by peers that are full (max_peers_reached on their side): they take us "
                + "when a slot frees"
        }
        return "\(count) dials skipped at the peer limit: raise --max-peers if you want more"
    }

    /// A peer is its IP alone: another node on our IP (another port) is never dialed. Say so
    /// when a sample's port is not ours; our own address in the book is harmless.
    static func selfDialAdvice(_ facts: Facts) -> String? {
        let count = facts.count("self_dial_blocked")
        guard count > 0 else { return nil }
        let samples = facts.samples["self_dial_blocked"] ?? []
        let otherNode = samples.first { sample in
            guard let port = sample.split(separator: ":").last.flatMap({ Int($0) }) else { return false }
            return facts.listenPort.map { port != $0 } ?? false
        }
        guard let otherNode else {
            return "\(count) of our own addresses are in the peer book: skipped, harmless"
        }
        return "\(count) peers share our IP on another port (e.g. \(otherNode)) and are never dialed "
            + "(self_dial_blocked): a peer is its IP alone, one connection per IP. Give each node its own IP "
            + "(on one machine: --listen 127.0.0.2:7071, --listen 127.0.0.3:7071, …), or use meshnode testnet"
    }
}
