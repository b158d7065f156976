import Foundation
import Testing

@testable import Node
@testable import Wire

/// The real `meshnode` binary as an operator runs it.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct BinaryTests {
    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "meshnode-bin-\(UInt32.random(in: 0...UInt32.max))"
    }

    @Test func twoNodes_connect_andTheEndpointAnswersEveryRoute() async throws {
        try await withChildProcesses {
            let (dirA, dirB) = (Self.temporaryDirectory(), Self.temporaryDirectory())
            defer { for dir in [dirA, dirB] { try? FileManager.default.removeItem(atPath: dir) } }
            let a = try NodeProcess([
                "run", "--listen", "127.0.40.1:7071", "--debug-listen", "127.0.40.1:7070", "--lan", "--tick", "0.2",
                "--data-dir", dirA,
            ])
            // B's first dial must find A listening (a refused dial starts a 30 s cooldown).
            #expect(await waitFor { (try? await http(address("127.0.40.1:7070"), "/health").0) == 200 })
            let b = try NodeProcess([
                "run", "--listen", "127.0.40.2:7071", "--debug-listen", "127.0.40.2:7070", "--lan", "--tick", "0.2",
                "--data-dir", dirB, "--peer", "127.0.40.1:7071", "--peer", "127.0.40.9:7071",
            ])
            defer {
                a.stop()
                b.stop()
            }
            let debugB = address("127.0.40.2:7070")
            let connected = await waitFor {
                guard let (_, body) = try? await http(debugB, "/api/p2p/debug"), let json = try? jsonObject(body) else {
                    return false
                }
                return (json["connected_peers"] as? [Any])?.count == 1
            }
            #expect(connected, "log of b: \(b.log)")
            let debug = try jsonObject(try await http(debugB, "/api/p2p/debug").1)
            let peer = try #require((debug["connected_peers"] as? [[String: Any]])?.first)
            for key in ["ip", "addr", "direction", "connected_since_unix", "last_rtt_ms"] {
                #expect(peer.keys.contains(key), "missing \(key)")
            }
            #expect(peer["addr"] as? String == "127.0.40.1:7071")
            #expect(peer["direction"] as? String == "outbound")
            let counts = try #require(debug["peer_book_counts"] as? [String: Int])
            #expect(Set(counts.keys) == ["hot", "warm", "cold", "total"])
            // The closed port shows up as connection_refused from a direct peer.
            let failures = debug["dial_failures"] as? [[String: Any]] ?? []
            #expect(
                failures.contains {
                    $0["addr"] as? String == "127.0.40.9:7071" && $0["reason"] as? String == "connection_refused"
                        && $0["source"] as? String == "direct" && $0["timestamp_unix"] is Int
                }, "\(failures)")
            let peers = try jsonObject(try await http(debugB, "/p2p/peers").1)
            #expect(peers["count"] as? Int == 1)
            #expect(try jsonObject(try await http(debugB, "/health").1)["status"] as? String == "ok")
            let stats = try jsonObject(try await http(debugB, "/api/p2p/stats").1)
            for key in [
                "ts", "scope", "known_peers", "connected", "connecting", "cooldown", "banned", "unhealthy",
                "attempted_last_cycle", "connected_last_cycle",
            ] {
                #expect(stats.keys.contains(key), "stats missing \(key)")
            }
            let reasons = try jsonObject(try await http(debugB, "/api/p2p/reasons").1)
            #expect(Set(reasons.keys) == ["ts", "scope", "cycle", "top_blockers", "reasons", "funnel"])
            let metrics = String(decoding: try await http(debugB, "/metrics").1, as: UTF8.self)
            #expect(metrics.contains("meshnode_peers_connected{direction=\"outbound\"} 1"))
            #expect(metrics.contains("meshnode_dial_failures_total{reason=\"connection_refused\",source=\"direct\"}"))
            let cookieB = try #require(cookie(in: dirB))
            let connect = try jsonObject(
                try await http(
                    debugB, "/api/p2p/connect", method: "POST", body: "{\"peer_addr\":\"127.0.40.8:7071\"}",
                    cookie: cookieB
                ).1)
            #expect(connect["connected"] as? Bool == false)
            #expect(connect["reason"] as? String == "connection_refused")
            #expect(try await http(debugB, "/nope").0 == 404)
            #expect(try await http(debugB, "/metrics", method: "POST").0 == 405)
            #expect(
                try await http(debugB, "/api/p2p/connect", method: "POST", body: "not json", cookie: cookieB).0 == 400)
            // The report files exist, parse, and redact peer addresses. They are written at the
            // end of a maintainer cycle, which may not have ended yet: wait for one with samples.
            let reasonsPath = dirB + "/public/peer_connect_reasons.json"
            @Sendable func reportSamples() -> [String] {
                guard let data = FileManager.default.contents(atPath: reasonsPath),
                    let file = try? jsonObject(Array(data))
                else { return [] }
                return (file["reasons"] as? [[String: Any]] ?? []).flatMap { $0["samples"] as? [String] ?? [] }
            }
            #expect(await waitFor { !reportSamples().isEmpty }, "no samples in \(reasonsPath)")
            let samples = reportSamples()
            #expect(!samples.isEmpty)
            #expect(samples.allSatisfy { $0.contains("***") }, "\(samples)")
            _ = try jsonObject(
                Array(try Data(contentsOf: URL(fileURLWithPath: dirB + "/public/peer_store_stats.json"))))
        }
    }

    @Test func reportFiles_alwaysParseWhileRewritten() async throws {
        try await withChildProcesses {
            let dir = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let node = try NodeProcess([
                "run", "--listen", "127.0.41.1:7071", "--debug-listen", "off", "--lan", "--tick", "0.05",
                "--data-dir", dir, "--seed", "127.0.41.2:7071",
            ])
            defer { node.stop() }
            let path = dir + "/public/peer_connect_reasons.json"
            #expect(await waitFor { FileManager.default.fileExists(atPath: path) })
            var reads = 0
            let end = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < end {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "torn read: \(data.count) bytes")
                reads += 1
            }
            #expect(reads > 10)
            // A temporary file exists while a write is under way; none may survive the node.
            node.stop()
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/public").filter {
                $0.contains(".tmp")
            }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func hostileBytes_leaveTheEndpointAnswering() async throws {
        try await withChildProcesses {
            let dir = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let node = try NodeProcess([
                "run", "--listen", "127.0.42.1:7071", "--debug-listen", "127.0.42.1:7070", "--data-dir", dir,
            ])
            defer { node.stop() }
            let debug = address("127.0.42.1:7070")
            #expect(await waitFor { (try? await http(debug, "/health").0) == 200 })
            // Garbage.
            let garbage = try await ByteStream.connect(to: debug, timeout: .seconds(5))
            try await garbage.write((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
            // A 1 MiB header.
            let huge = try await ByteStream.connect(to: debug, timeout: .seconds(5))
            // Sent while the reply is read: the server stops reading at its limit.
            async let sent: Void? = try? huge.write(
                Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 1 << 20)).utf8))
            // A slow request: one byte, then nothing.
            let slow = try await ByteStream.connect(to: debug, timeout: .seconds(5))
            try await slow.write(Array("G".utf8))
            #expect(try await http(debug, "/health").0 == 200)
            var hugeReply: [UInt8] = []
            await huge.setDeadline(at: Reactor.now() &+ Duration.seconds(10).nanoseconds)
            while let bytes = try? await huge.receive() { hugeReply += bytes }
            _ = await sent
            #expect(String(decoding: hugeReply, as: UTF8.self).hasPrefix("HTTP/1.1 431"))
            #expect(try await http(debug, "/health").0 == 200)
            for connection in [garbage, huge, slow] { await connection.close() }
            #expect(node.process.isRunning)
        }
    }

    @Test func badInput_exitsNonZeroWithOneClearLine() async throws {
        try await withChildProcesses {
            let (status, log) = try await NodeProcess.runToEnd(["--max-peer", "3"])
            #expect(status == 2)
            #expect(log.split(separator: "\n").count == 1 && log.contains("did you mean --max-peers"), "\(log)")
            let config = NSTemporaryDirectory() + "bad-\(UInt32.random(in: 0...UInt32.max)).toml"
            defer { try? FileManager.default.removeItem(atPath: config) }
            try Data("lan = true\nwhat = 1\n".utf8).write(to: URL(fileURLWithPath: config))
            let (configStatus, configLog) = try await NodeProcess.runToEnd(["--config", config])
            #expect(configStatus == 2)
            #expect(configLog.contains("line 2") && configLog.contains("'what'"), "\(configLog)")
            let (addressStatus, addressLog) = try await NodeProcess.runToEnd(["--listen", "nowhere"])
            #expect(addressStatus == 2 && addressLog.contains("--listen"))
            // A busy port: the second node cannot bind and says so.
            let dir = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let first = try NodeProcess([
                "run", "--listen", "127.0.43.1:7071", "--debug-listen", "off", "--data-dir", dir,
            ])
            defer { first.stop() }
            try await Task.sleep(for: .milliseconds(300))
            let (busyStatus, busyLog) = try await NodeProcess.runToEnd([
                "run", "--listen", "127.0.43.1:7071", "--debug-listen", "off", "--data-dir", dir + "-2",
            ])
            try? FileManager.default.removeItem(atPath: dir + "-2")
            #expect(busyStatus == 1)
            let lines = busyLog.split(separator: "\n").filter { !$0.hasPrefix("{") }
            #expect(lines.count == 1 && lines[0].contains("Address already in use"), "\(busyLog)")
        }
    }
}
