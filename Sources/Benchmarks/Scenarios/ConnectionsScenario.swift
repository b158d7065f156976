import Actors
import Wire

/// `connections --count C`: one node (its real code) accepts C handshaked peers from C
/// distinct source IPs in 127.1.0.0/16 and keeps pinging them. The peers run in a child
/// process (`connections-client`): one process cannot hold both ends of 10,000 connections
/// under the 20,000-descriptor limit.
enum ConnectionsScenario {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let count = try options.int("count", 10_000)
        let idleSeconds = try options.double("idle-seconds", 16)
        let listen = SocketAddress(ip: .v4(0x7F19_0001), port: 7071)  // 127.25.0.1
        var configuration = BenchNodes.configuration(listen, tick: 5, outbound: 0, maxPeers: count + 64)
        configuration.handshakeTimeout = .seconds(20)
        return try await BenchNodes.run([configuration]) { nodes in
            let node = nodes[0]
            await node.manager.startRecordingRTT()
            let rssBefore = ProcessStats.rssKiB
            guard let executable = ChildProcess.currentExecutable() else {
                throw BenchError("cannot find this executable")
            }
            let client = try ChildProcess.spawn(
                executable, ["connections-client", "--count", String(count), "--target", listen.description])
            defer { client.terminate() }
            let start = now()
            var lastReport = start
            let accepted = await BenchNodes.waitUntil(timeout: 120, interval: 0.1) {
                let sessions = await node.manager.sessions.count
                if now() - lastReport > 2 {
                    progress("connections: \(sessions)/\(count) accepted after \(Int(now() - start)) s")
                    lastReport = now()
                }
                return sessions >= count || !client.isRunning()
            }
            let sessions = await node.manager.sessions.count
            let rssAfter = ProcessStats.rssKiB
            _ = await node.manager.takeRTTSamples()
            progress("connections: \(sessions) connected; idle for \(Int(idleSeconds)) s at the default ping interval")
            let cpuBefore = ProcessStats.cpuSeconds
            let idleStart = now()
            try await Task.sleep(for: .nanoseconds(Int64(idleSeconds * 1e9)))
            let cpu = (ProcessStats.cpuSeconds - cpuBefore) / (now() - idleStart) * 100
            let rtts = await node.manager.takeRTTSamples()
            var report = BenchReport("connections")
            report.set("count", count)
            report.set("accepted", sessions)
            report.set("seconds_to_accept", sessions >= count ? (accepted ?? -1) : -1)
            report.set("rss_kib_per_connection", (rssAfter - rssBefore) / Double(max(1, sessions)))
            report.set("rss_mib", rssAfter / 1024)
            report.set("ping_samples", rtts.count)
            report.set("ping_p99_ms", percentile(rtts, 0.99) * 1000)
            report.set("cpu_percent_idle", cpu)
            report.set("threads", ProcessStats.threads)
            return report
        }
    }

}

/// The peer side of `connections`: C light peers, each from its own source IP, that
/// handshake and answer pings. Runs in its own process.
enum ConnectionsClient {
    static func run(_ arguments: [String]) async throws -> BenchReport {
        var count = 10_000
        var target = SocketAddress(ip: .v4(0x7F19_0001), port: 7071)
        var index = 0
        while index + 1 < arguments.count {
            switch arguments[index] {
            case "--count": count = Int(arguments[index + 1]) ?? count
            case "--target": target = (try? SocketAddress(parsing: arguments[index + 1])) ?? target
            default: throw BenchError("connections-client: unknown option \(arguments[index])")
            }
            index += 2
        }
        let reactor = Reactor.shared
        let destination = target
        let hello = Message.handshake(
            Handshake(
                protocolVersion: Handshake.currentProtocolVersion, chainID: "mainnet", genesis: .mainnet,
                listenPort: 7071, nonce: UInt64.random(in: 1...UInt64.max), userAgent: "bench-client"))
        // Handshakes run at most 256 at a time; each handshaked peer then lives on in `lives`.
        var connected = 0
        await withDiscardingTaskGroup { lives in
            await withTaskGroup(of: Connection?.self) { handshakes in
                var inFlight = 0
                for peer in 0..<count {
                    // 127.1.0.0/16, skipping .0 and .255 in the last byte.
                    let source = IPAddress.v4(0x7F01_0000 | UInt32(peer / 254) << 8 | UInt32(peer % 254 + 1))
                    if inFlight >= 256, let outcome = await handshakes.next() {
                        inFlight -= 1
                        if let connection = outcome {
                            connected += 1
                            lives.addTask(executorPreference: reactor) { await answerPings(connection) }
                        }
                    }
                    inFlight += 1
                    handshakes.addTask(executorPreference: reactor) {
                        await WirePeer.handshake(
                            from: source, to: destination, hello: hello, timeout: .seconds(20), reactor: reactor,
                            readBudget: 4096
                        ).admitted
                    }
                }
                for await outcome in handshakes {
                    if let connection = outcome {
                        connected += 1
                        lives.addTask(executorPreference: reactor) { await answerPings(connection) }
                    }
                }
            }
            Posix.writeLine(Posix.standardError, "connections-client: \(connected) peers handshaked")
        }
        var report = BenchReport("connections-client")
        report.set("connected", connected)
        return report
    }

    /// Answers pings (and GetPeers) until the node closes the connection.
    static func answerPings(_ connection: Connection) async {
        _ = try? await connection.deliverBatches { batch in
            try connection.onLoop(batch) { connection, batch in
                for frame in batch {
                    switch try Message.decode(frame.body) {
                    case .ping(let nonce): try connection.send(.pong(nonce: nonce))
                    case .getPeers: try connection.send(.peerList([]))
                    default: break
                    }
                }
                return .proceed
            }
        }
        await connection.close()
    }
}
