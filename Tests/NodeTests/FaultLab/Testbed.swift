import Foundation

@testable import Wire

/// scripts/testbed.sh from a test: hosts in network namespaces (10.77.0.I), one real meshnode
/// each, faults injected with iptables, routes and tc. Needs root, `ip netns` and iptables.
struct Testbed {
    static let script = repositoryRoot + "/scripts/testbed.sh"
    /// Short timers, so that every scenario ends in seconds: ping every 0.5 s, silent for 2 s
    /// is dead, dials and handshakes give up after 1 s, cooldowns start at 0.5 s.
    static let labOptions = [
        "--tick", "0.5", "--ping-interval", "0.5", "--ping-timeout", "2", "--dial-timeout", "1",
        "--handshake-timeout", "1", "--cooldown", "0.5",
    ]

    /// Root, iproute2 with netns, and iptables (CI installs it); otherwise the lab is skipped.
    static let available: Bool = {
        guard getuid() == 0, NodeProcess.binary != nil,
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/iptables")
                || FileManager.default.isExecutableFile(atPath: "/sbin/iptables")
        else { return false }
        // Synchronous here (a static initializer): spawn and wait, bounded.
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", "ip netns add mn-probe && ip netns del mn-probe"]
        let argv = words.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { return false }
        var status: Int32 = 0
        for _ in 0..<500 where waitpid(pid, &status, WNOHANG) == 0 { usleep(10_000) }
        return status == 0
    }()

    let hosts: Int
    let directory: String

    /// Brings up `hosts` hosts (`noSeed`: hosts started without a seed) with `minimumOutbound`.
    static func up(hosts: Int, noSeed: [Int] = [], minimumOutbound: Int) async throws -> Testbed {
        let directory = NSTemporaryDirectory() + "meshnode-testbed-\(UInt32.random(in: 0...UInt32.max))"
        let testbed = Testbed(hosts: hosts, directory: directory)
        var arguments = ["up", String(hosts)]
        for host in noSeed { arguments += ["--no-seed", String(host)] }
        arguments += ["--"] + labOptions + ["--min-outbound", String(minimumOutbound)]
        try await testbed.run(arguments)
        return testbed
    }

    func down() async {
        _ = try? await run(["down"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    func inject(_ host: Int, _ fault: String, _ argument: String? = nil) async throws {
        try await run(["inject", String(host), fault] + (argument.map { [$0] } ?? []))
    }

    func heal(_ host: Int) async throws {
        try await run(["heal", String(host)])
    }

    @discardableResult
    private func run(_ arguments: [String]) async throws -> String {
        let binary = NodeProcess.binary?.path ?? ""
        let (status, output, errors) = try await runTool(
            "/usr/bin/env", ["MESHNODE_BIN=\(binary)", "TESTBED_DIR=\(directory)", "bash", Self.script] + arguments)
        guard status == 0 else { throw TestbedError(description: "testbed.sh \(arguments): \(output) \(errors)") }
        return output
    }

    struct TestbedError: Error, CustomStringConvertible {
        let description: String
    }

    static func ip(_ host: Int) -> String { "10.77.0.\(host)" }

    func debug(_ host: Int) -> SocketAddress { address("\(Self.ip(host)):7070") }

    /// The peers host `host` has a session with, as IPs.
    func peers(of host: Int) async -> Set<String> {
        guard let (_, body) = try? await http(debug(host), "/p2p/peers"), let json = try? jsonObject(body),
            let list = json["peers"] as? [String]
        else { return [] }
        return Set(list.map { String($0.split(separator: ":")[0]) })
    }

    /// True once every host of `members` is connected to every other.
    func fullMesh(_ members: [Int]) async -> Bool {
        for host in members {
            let expected = Set(members.filter { $0 != host }.map(Self.ip))
            guard expected.isSubset(of: await peers(of: host)) else { return false }
        }
        return true
    }

    /// The JSON log events of host `host` named `event` (about `peer`, if given).
    func events(_ host: Int, _ event: String, peer: String? = nil) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: "\(directory)/h\(host).log", encoding: .utf8)) ?? ""
        return logEvents(in: text, named: event, peer: peer)
    }

    /// True if every node process still runs.
    var allAlive: Bool {
        (1...hosts).allSatisfy { host in
            guard let bytes = try? Posix.readFile("\(directory)/h\(host).pid"),
                let pid = pid_t(String(decoding: bytes, as: UTF8.self).split(separator: "\n").first ?? "")
            else { return false }
            return kill(pid, 0) == 0
        }
    }

    /// `POST /api/p2p/connect` on `host` toward `target`'s P2P address: (connected, reason).
    func connect(from host: Int, to target: Int) async throws -> (Bool, String?) {
        let body = "{\"peer_addr\":\"\(Self.ip(target)):7071\"}"
        let token = cookie(in: "\(directory)/h\(host)")
        let json = try jsonObject(
            try await http(debug(host), "/api/p2p/connect", method: "POST", body: body, cookie: token).1)
        return (json["connected"] as? Bool ?? false, json["reason"] as? String)
    }

    /// Heals `host`, waits (up to `bound`) for the full mesh of `members`, and prints how long
    /// it took; false if it did not come back.
    func healAndWaitForMesh(_ host: Int, members: [Int], within bound: Duration, label: String) async throws
        -> Bool
    {
        try await heal(host)
        let healed = ContinuousClock.now
        let whole = await waitFor(bound) { await fullMesh(members) }
        print("fault lab: \(label) healed in \(ContinuousClock.now - healed)")
        return whole
    }
}
