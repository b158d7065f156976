import Actors
import Wire

/// The inside of `eclipse` (already in its network namespace): the honest network, the
/// attacker's listener, the small attacks and the trials.
struct EclipseLab: Sendable {
    let plan: EclipsePlan
    let binary: String
    let directory: String
    let tick: Double
    let attacker: EclipseAttacker

    /// The nodes' `--handshake-timeout`, seconds.
    var handshakeTimeout: Double { 1 }

    /// The fault lab's short timings (Tests/NodeTests/FaultLab/Testbed.swift `labOptions`),
    /// with the tick as given.
    var timings: [String] {
        [
            "--tick", String(tick), "--ping-interval", String(tick), "--ping-timeout", String(tick * 4),
            "--dial-timeout", "1", "--handshake-timeout", String(handshakeTimeout), "--cooldown", String(tick),
        ]
    }

    /// An honest node: 4 outbound, room for 28 inbound (victims, newcomers, fresh nodes),
    /// seeded by three others spread around the ring.
    func startHonest(_ index: Int) throws -> MeshnodeProcess {
        let seeds = [1, 7, 19].map { SocketAddress(ip: plan.honest((index + $0) % plan.honestCount), port: 7071) }
        return try MeshnodeProcess.start(
            binary: binary, ip: plan.honest(index), directory: "\(directory)/honest\(index)",
            timings + ["--min-outbound", "4", "--max-peers", "32", "--log-level", "warning"]
                + seeds.flatMap { ["--seed", $0.description] })
    }

    /// A node with the defaults a new operator gets (8 outbound of 16 peers), seeded by
    /// `seeds` only.
    func startNode(ip: IPAddress, name: String, seeds: [SocketAddress]) throws -> MeshnodeProcess {
        try MeshnodeProcess.start(
            binary: binary, ip: ip, directory: "\(directory)/\(name)",
            timings + ["--min-outbound", "8", "--max-peers", "16", "--log-level", "info"]
                + seeds.flatMap { ["--seed", $0.description] })
    }

    /// Three honest seeds for victim `index`, a different three each.
    func seeds(for index: Int) -> [SocketAddress] {
        [0, 17, 34].map { SocketAddress(ip: plan.honest((index * 5 + $0) % plan.honestCount), port: 7071) }
    }

    /// A node's outbound sessions split into the attacker's and the honest ones; nil when
    /// its endpoint does not answer.
    func outbound(of node: MeshnodeProcess) async -> (attacker: Int, honest: Int)? {
        guard let sessions = await DebugHTTP.sessions(node.debug) else { return nil }
        let outbound = sessions.filter(\.outbound)
        let attacker = outbound.count { plan.isAttacker($0.ip) }
        return (attacker, outbound.count - attacker)
    }

    /// The attacker's share of a node's book (`peers.json`, rewritten every tick) and its size.
    func bookShare(of node: MeshnodeProcess) -> (share: Double, entries: Int) {
        guard let bytes = try? Posix.readFile(node.directory + "/peers.json"),
            let records = try? PeerBookStore.decode(bytes)
        else { return (0, 0) }
        let attacker = records.count { plan.isAttacker($0.address.ip) }
        return (records.isEmpty ? 0 : Double(attacker) / Double(records.count), records.count)
    }

    func sleep(_ seconds: Double) async {
        try? await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9)))
    }

    /// Honest newcomers dialing `victim`, one every `every` seconds from `ip(i)`, each keeping
    /// its session (answering Pings) once admitted, until cancelled. Counts `<prefix>tried`,
    /// `<prefix>admitted` and the reasons of refusals.
    func newcomers(
        _ victim: SocketAddress, every: Double, prefix: String, ip: @escaping @Sendable (Int) -> IPAddress
    ) async {
        let tally = attacker.tally
        let hello = WirePeer.hello(port: 7071, agent: "meshnode/0.1.0")
        await withDiscardingTaskGroup { group in
            var index = 0
            while !Task.isCancelled {
                await sleep(every)
                if Task.isCancelled { break }
                let source = ip(index)
                index += 1
                group.addTask(executorPreference: Reactor.shared) {
                    tally.add("\(prefix)tried")
                    switch await WirePeer.handshake(from: source, to: victim, hello: hello, timeout: .seconds(2)) {
                    case .admitted(let connection):
                        tally.add("\(prefix)admitted")
                        await WirePeer.serve(connection, addresses: [], push: false)
                    case .refused(let reason):
                        tally.add("\(prefix)refused_\(reason)")
                    case .failed:
                        tally.add("\(prefix)failed")
                    }
                }
            }
        }
    }
}
