import Foundation
import Testing

@testable import Actors
@testable import Node
@testable import Wire

/// Numbers from outside the process (flags, environment, config file, peers.json) never crash
/// the binary: out-of-range options are refused with one line and status 2, and a peer book
/// with extreme values loads, runs and dials.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct OutsideNumbersTests {
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "meshnode-\(name)-\(UInt32.random(in: 0...UInt32.max))"
    }

    @Test(arguments: [
        (["--tick", "1e11"], "--tick"), (["--tick", "-1"], "--tick"), (["--tick", "nan"], "--tick"),
        (["--tick", "inf"], "--tick"), (["--tick", "0"], "--tick"), (["--ping-timeout", "1e400"], "--ping-timeout"),
        (["--dial-timeout", "0x1p4"], "--dial-timeout"), (["--cooldown", "100000"], "--cooldown"),
        (["--max-peers", "99999999999999999999"], "--max-peers"), (["--max-peers", "0"], "--max-peers"),
        (["--min-outbound", "-1"], "--min-outbound"),
    ])
    func outOfRangeOption_exitsTwoWithOneLineNamingItAndItsRange(_ arguments: [String], _ option: String)
        async throws
    {
        try await withChildProcesses {
            let (status, log) = try await NodeProcess.runToEnd(["run", "--debug-listen", "off"] + arguments)
            #expect(status == 2, "\(arguments): \(log)")
            let lines = log.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(option) && lines[0].contains(" to "), "\(log)")
        }
    }

    @Test func outOfRangeConfigValueAndEnvironment_exitTwoToo() async throws {
        try await withChildProcesses {
            let config = Self.temporaryPath("config") + ".toml"
            defer { try? FileManager.default.removeItem(atPath: config) }
            try Data("lan = true\ntick_seconds = 1e11\n".utf8).write(to: URL(fileURLWithPath: config))
            let (status, log) = try await NodeProcess.runToEnd(["run", "--config", config, "--debug-listen", "off"])
            #expect(status == 2 && log.contains("line 2") && log.contains("--tick"), "\(log)")

            let node = try NodeProcess(
                ["run", "--debug-listen", "off"], environment: ["MESHNODE_MAX_PEERS": "99999999999999999999"])
            let deadline = ContinuousClock.now + .seconds(10)
            while node.process.isRunning && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            node.stop(removingLog: false)
            #expect(node.process.terminationStatus == 2 && node.log.contains("MESHNODE_MAX_PEERS"), "\(node.log)")
            try? FileManager.default.removeItem(atPath: node.logPath)
        }
    }

    /// The record of `address` with every number at an extreme a hand edit could leave.
    static func extremeEntry(_ address: String, _ fields: String) -> String {
        #"{"address":"\#(address)","source":"seed",\#(fields)}"#
    }

    // 127.0.62.2 listens nowhere (each dial fails: failures + 1; `--peer` so that each start
    // dials it at once, past the hour of cooldown that a million failures earn); 127.0.62.3
    // is a node of another chain (its handshake fails as an incompatibility: a long cooldown,
    // never a ban, even with violations loaded at the threshold). Both counters start at
    // Int.max in the file, which used to trap at the first failure and then on every restart.
    @Test func handEditedPeerBook_withExtremeValues_loadsRunsAndDials() async throws {
        try await withChildProcesses {
            let (dir, otherDir) = (Self.temporaryPath("book"), Self.temporaryPath("other"))
            defer { for path in [dir, otherDir] { try? FileManager.default.removeItem(atPath: path) } }
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let entries = [
                Self.extremeEntry(
                    "127.0.62.2:7071",
                    #""first_seen":"NaN","last_attempt":9e18,"last_success":1.7976931348623157e308,"#
                        + #""failures":9223372036854775807,"cooldown_until":-1e308,"violations":-9223372036854775808,"#
                        + #""health":-9223372036854775808,"last_reason":"x""#),
                Self.extremeEntry(
                    "127.0.62.3:7071",
                    #""first_seen":-1e308,"failures":-9223372036854775808,"violations":9223372036854775807,"#
                        + #""health":9223372036854775807,"banned_until":null,"cooldown_until":null"#),
            ]
            let book = #"{"version":1,"peers":[\#(entries.joined(separator: ","))]}"#
            try Data(book.utf8).write(to: URL(fileURLWithPath: dir + "/peers.json"))
            let other = try NodeProcess([
                "run", "--listen", "127.0.62.3:7071", "--debug-listen", "off", "--data-dir", otherDir,
                "--chain-id", "elsewhere",
            ])
            defer { other.stop() }
            #expect(await waitFor { !other.events("node.started").isEmpty }, "\(other.log)")
            let arguments = [
                "run", "--listen", "127.0.62.1:7071", "--debug-listen", "off", "--lan", "--tick", "0.2",
                "--data-dir", dir, "--peer", "127.0.62.2:7071",
            ]
            for run in 1...2 {  // the second run loads what the first one saved
                let node = try NodeProcess(arguments, environment: ["MESHNODE_DEBUG_PUBLIC_PEERS": "1"])
                let dialed = await waitFor {
                    !node.events("dial.failed", peer: "127.0.62.2").isEmpty
                        && (run == 2 || !node.events("handshake.failed", peer: "127.0.62.3").isEmpty)
                }
                #expect(dialed, "run \(run): \(node.log)")
                #expect(node.events("peerbook.loaded").first?["peers"] as? Int == 2, "run \(run): \(node.log)")
                #expect(node.process.isRunning, "run \(run): \(node.log)")
                node.stop()
                #expect(node.process.terminationStatus == 0, "run \(run)")
            }
            let saved = try PeerBookStore.decode(try #require(try Posix.readFile(dir + "/peers.json")))
            #expect(saved.count == 2)
            #expect(saved.allSatisfy { (0...PeerBook.maximumFailures).contains($0.failures) }, "\(saved)")
            // Another chain is not misbehaviour: a cooldown, no ban, whatever the loaded violations.
            let otherChain = saved.first { $0.address.description == "127.0.62.3:7071" }
            #expect(otherChain?.bannedUntil == nil && otherChain?.lastReason == "chain_id_mismatch", "\(saved)")
        }
    }
}
