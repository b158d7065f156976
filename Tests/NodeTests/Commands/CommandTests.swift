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
}
