import Foundation
import TestSupport
import Testing

@testable import Actors
@testable import Node
@testable import Wire

@Suite struct CommandTests {
    func options(_ arguments: [String], environment: [String: String] = [:]) throws -> RunOptions {
        guard
            case .run(let options) = try Command.parse(
                arguments, environment: { environment[$0] }, fileExists: { _ in false })
        else { throw Command.UsageError(description: "not run") }
        return options
    }

    @Test func everyOption_isApplied() throws {
        let options = try options([
            "run", "--listen", "127.0.0.2:9000", "--peer", "127.0.0.3:9000", "--seed", "10.0.0.1:7071",
            "--data-dir", "/tmp/x", "--chain-id", "testnet", "--genesis", String(repeating: "ab", count: 32),
            "--min-outbound", "3", "--max-peers", "5", "--tick", "0.2", "--ping-interval", "1", "--ping-timeout", "2",
            "--dial-timeout", "0.5", "--handshake-timeout", "0.7", "--lan", "--ipv4-only", "--log-level", "debug",
            "--log-format", "json", "--debug-listen", "off", "--cooldown", "1.5",
        ])
        let node = options.node
        #expect(node.listen == SocketAddress(ip: IPAddress(parsing: "127.0.0.2")!, port: 9000))
        #expect(node.directPeers.count == 1 && node.seeds.count == 1)
        #expect(node.dataDirectory == "/tmp/x" && node.chainID == "testnet")
        #expect(node.minimumOutbound == 3 && node.maximumPeers == 5)
        #expect(node.tick == .milliseconds(200) && node.dialTimeout == .milliseconds(500))
        #expect(node.lan && node.ipv4Only && node.debugListen == nil)
        #expect(node.cooldownBase == .milliseconds(1500))
        #expect(options.logLevel == .debug)
    }

    @Test func defaults_followTheInterface() throws {
        let node = try options([]).node
        #expect(node.listen.description == "0.0.0.0:7071")
        #expect(node.debugListen?.description == "127.0.0.1:7070")
        #expect(node.minimumOutbound == 8 && node.maximumPeers == 16 && node.tick == .seconds(30))
        #expect(node.pingInterval == .seconds(15) && node.pingTimeout == .seconds(45))
        #expect(try options([], environment: ["MESHNODE_MAX_PEERS": "40"]).node.maximumPeers == 40)
    }

    @Test func unknownFlag_suggestsTheClosest() {
        #expect {
            try Command.parse(["--max-peer", "3"], environment: { _ in nil }, fileExists: { _ in false })
        } throws: { error in
            "\(error)".contains("did you mean --max-peers?")
        }
    }

    // Files are descriptors: hold the lock that descriptor-counting tests hold.
    @Test func configFile_isReadAndTheCommandLineWins() async throws {
        try await ExclusiveIO.shared.run { try configFileScenario() }
    }

    func configFileScenario() throws {
        let path = NSTemporaryDirectory() + "meshnode-config-\(UInt32.random(in: 0...UInt32.max)).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(
            "seed_peers = [\"10.1.1.1:7071\"]\nmax_outbound_connections = 12\nlan = true\nchain_id = \"dev\"\n".utf8
        ).write(to: URL(fileURLWithPath: path))
        let node = try options(["--config", path, "--chain-id", "prod"]).node
        #expect(node.seeds.map(\.description) == ["10.1.1.1:7071"])
        #expect(node.maximumPeers == 12 && node.lan)
        #expect(node.chainID == "prod")
    }

    @Test func configErrors_nameFileLineAndKey() async throws {
        try await ExclusiveIO.shared.run { try configErrorScenario() }
    }

    func configErrorScenario() throws {
        let path = NSTemporaryDirectory() + "meshnode-config-\(UInt32.random(in: 0...UInt32.max)).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("lan = true\nbogus_key = 3\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try options(["--config", path])
        } throws: { error in
            "\(error)".contains("line 2") && "\(error)".contains("bogus_key")
        }
        try Data("max_peers = \"many\"\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try options(["--config", path]) } throws: { "\($0)".contains("line 1") }
        // Out of range in the file: refused where the value is applied, with the range.
        for (text, option) in [
            ("tick_seconds = 1e11\n", "--tick"), ("ping_timeout_seconds = -1\n", "--ping-timeout"),
            ("max_peers = 0\n", "--max-peers"), ("min_outbound_connections = 100000\n", "--min-outbound"),
        ] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect { try options(["--config", path]) } throws: {
                "\($0)".contains("line 1") && "\($0)".contains(option) && "\($0)".contains(" to ")
            }
        }
    }

    @Test func fractionalSeconds_fromTheConfigFile() async throws {
        try await ExclusiveIO.shared.run {
            let path = NSTemporaryDirectory() + "meshnode-config-\(UInt32.random(in: 0...UInt32.max)).toml"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data("tick_seconds = 0.25\nping_interval_seconds = 1.5\n".utf8).write(to: URL(fileURLWithPath: path))
            let node = try options(["--config", path]).node
            #expect(node.tick == .milliseconds(250) && node.pingInterval == .milliseconds(1500))
        }
    }

    /// `GET /api/p2p/config` says where each setting came from (INTERFACE.md): defaults <
    /// config file < environment < flags, and the last one to set a value names it.
    @Test func settingSources_nameTheFileTheEnvironmentOrTheFlag() async throws {
        try await ExclusiveIO.shared.run {
            let path = NSTemporaryDirectory() + "meshnode-config-\(UInt32.random(in: 0...UInt32.max)).toml"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data("tick_seconds = 0.25\nchain_id = \"test\"\n".utf8).write(to: URL(fileURLWithPath: path))
            let node = try options(
                ["--config", path, "--chain-id", "flagged", "--lan"], environment: ["MESHNODE_MAX_PEERS": "20"]
            ).node
            #expect(node.settingSources["tick"] == "file")
            #expect(node.settingSources["chain-id"] == "flag")
            #expect(node.chainID == "flagged")
            #expect(node.settingSources["max-peers"] == "env")
            #expect(node.settingSources["lan"] == "flag")
            #expect(node.settingSources["ping-interval"] == nil)  // a default
        }
    }
}

/// The operator commands added for issue 16: status --watch, testnet, host names.
@Suite struct OperatorCommandTests {
    func parse(_ arguments: [String]) throws -> Command {
        try Command.parse(arguments, environment: { _ in nil }, fileExists: { _ in false })
    }

    @Test func statusWatch_takesAnInterval_andOnlyStatusTakesIt() throws {
        guard case .status(_, let watch) = try parse(["status", "--watch"]) else {
            throw Command.UsageError(description: "")
        }
        #expect(watch == .seconds(2))
        guard case .status(_, let interval) = try parse(["status", "--watch", "--interval", "0.5"]) else {
            throw Command.UsageError(description: "")
        }
        #expect(interval == .milliseconds(500))
        guard case .status(_, nil) = try parse(["status"]) else { throw Command.UsageError(description: "") }
        #expect(throws: Command.UsageError.self) { try parse(["diagnose", "--watch"]) }
        #expect(throws: Command.UsageError.self) { try parse(["status", "--interval", "nan"]) }
        #expect(throws: Command.UsageError.self) { try parse(["status", "--interval", "0.01"]) }
    }

    @Test func watchFrame_redrawsInPlaceOnATerminal_elseSeparatesScreens() {
        let onTerminal = StatusCommand.frame("screen", interval: .seconds(2), terminal: true)
        #expect(onTerminal.hasPrefix("\u{1B}[H\u{1B}[2Jscreen") && onTerminal.contains("Ctrl-C"))
        #expect(StatusCommand.frame("screen", interval: .seconds(2), terminal: false) == "screen\n")
    }

    @Test func testnet_checksItsNumbers() throws {
        guard case .testnet(let testnet) = try parse(["testnet", "--nodes", "3"]) else {
            throw Command.UsageError(description: "")
        }
        #expect(testnet.nodes == 3 && testnet.dataDirectory == "./meshnode_testnet")
        for bad in [
            ["testnet"], ["testnet", "--nodes", "1"], ["testnet", "--nodes", "65"],
            ["testnet", "--nodes", "3", "--base-ip", "10.0.0.1"],
            ["testnet", "--nodes", "3", "--base-ip", "127.255.255.254"],
            ["testnet", "--nodes", "3", "--what", "x"],
        ] {
            #expect(throws: Command.UsageError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test func testnet_laterNodesPeerWithEveryEarlierOne_soTheHigherIPDials() throws {
        let testnet = try TestnetCommand.parse(["--nodes", "3", "--base-ip", "127.0.9.1", "--data-dir", "/tmp/t"])
        let third = testnet.arguments(2)
        let peers = third.indices.filter { third[$0] == "--peer" }.map { third[$0 + 1] }
        #expect(peers == ["127.0.9.1:7071", "127.0.9.2:7071"])
        #expect(!testnet.arguments(0).contains("--peer"))
        #expect(third.contains("127.0.9.3:7071") && third.contains("127.0.9.3:7070") && third.contains("/tmp/t/node3"))
        #expect(third.contains("--lan"))
        // Every node can hold every other: N−1 outbound slots, N−1 inbound.
        let max = third.firstIndex(of: "--max-peers").map { third[$0 + 1] }
        let min = third.firstIndex(of: "--min-outbound").map { third[$0 + 1] }
        #expect(max == "4" && min == "2")
    }

    @Test func testnet_givesEveryNodeEveryOtherNodesDebugEndpoint_asAMeshSibling() throws {
        let testnet = try TestnetCommand.parse(["--nodes", "3", "--base-ip", "127.0.9.1", "--data-dir", "/tmp/t"])
        for index in 0..<3 {
            let arguments = testnet.arguments(index)
            let siblings = arguments.indices.filter { arguments[$0] == "--mesh-sibling" }.map { arguments[$0 + 1] }
            #expect(siblings == (1...3).filter { $0 != index + 1 }.map { "127.0.9.\($0):7070" }, "node \(index + 1)")
        }
    }

    @Test func meshSibling_isANumericDebugAddress_atMost64_fromTheFlagOrTheConfigFile() throws {
        guard case .run(let options) = try parse(["--mesh-sibling", "127.0.9.2:7070", "--mesh-sibling", "[::1]:7070"])
        else { throw Command.UsageError(description: "") }
        #expect(options.node.meshSiblings.map(\.description) == ["127.0.9.2:7070", "[::1]:7070"])
        #expect(options.node.settingSources["mesh-sibling"] == "flag")
        // A name would mean a DNS lookup at every request; a port 0 can answer nothing.
        for bad in ["localhost:7070", "127.0.9.2", "127.0.9.2:0", "http://127.0.9.2:7070"] {
            #expect(throws: Command.UsageError.self, "\(bad)") { try parse(["--mesh-sibling", bad]) }
        }
        let many = (1...65).flatMap { ["--mesh-sibling", "127.0.9.\($0):7070"] }
        #expect(throws: Command.UsageError.self) { try parse(many) }
        let repeated = Array(repeating: ["--mesh-sibling", "127.0.9.2:7070"], count: 70).flatMap { $0 }
        guard case .run(let once) = try parse(repeated) else { throw Command.UsageError(description: "") }
        #expect(once.node.meshSiblings.count == 1)
        let operations = try ConfigFile.operations(
            Array("mesh_siblings = [\"127.0.9.3:7070\"]\n".utf8), path: "meshnode.toml")
        #expect(operations.map(\.flag) == ["--mesh-sibling"] && operations.map(\.value) == ["127.0.9.3:7070"])
    }

    @Test func peerAndSeed_acceptHostNames_forLaterResolution() throws {
        guard case .run(let options) = try parse(["--peer", "localhost:7071", "--seed", "seed.example.org:7071"]) else {
            throw Command.UsageError(description: "")
        }
        #expect(
            options.namedPeers == [
                NamedPeer(host: "localhost", port: 7071, source: .direct),
                NamedPeer(host: "seed.example.org", port: 7071, source: .seed),
            ])
        #expect(options.node.directPeers.isEmpty && options.node.seeds.isEmpty)
        for bad in ["localhost", "localhost:0", "local host:7071", ":7071", "-x:7071", "a:b:7071", "localhost:70710"] {
            #expect(throws: Command.UsageError.self, "\(bad)") { try parse(["--peer", bad]) }
        }
    }
}
