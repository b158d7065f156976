import Foundation
import Testing

@testable import Actors
@testable import Wire

extension MeshSuite {
    /// Admission with real nodes and sockets on 127.0.7x.y (INTERFACE.md, "A hostile network").
    @Suite struct AdmissionLiveTests {
        /// Keeps up to `keep` silent sockets open from `ip` to `node`, opening one every 20 ms and
        /// closing the oldest beyond `keep` (the attacker reopens what the node's handshake
        /// deadline closes). Runs until cancelled; closes every socket it opened.
        static func silentSockets(to node: SocketAddress, from ip: IPAddress, keep: Int) async {
            var open: [Connection] = []
            while !Task.isCancelled {
                if let connection = try? await Connection.connect(to: node, from: ip, timeout: .seconds(1)) {
                    open.append(connection)
                }
                if open.count > keep { await open.removeFirst().close() }
                try? await Task.sleep(for: .milliseconds(20))
            }
            for connection in open { await connection.close() }
        }

        @Test func sixteenSilentSocketsFromOneIP_nodeStillReachesItsPeers_andANewcomer() async throws {
            let a = testAddress(70, 1)
            let direct = testAddress(70, 3)
            let seed = testAddress(70, 2)
            let newcomer = testAddress(70, 4)
            let attacker = testAddress(70, 9).ip
            // Default slots (8 outbound reserved of 16); A knows nobody until the attack runs.
            let configurations = [
                testConfiguration(a) { $0.maximumPeers = 16 }, testConfiguration(direct), testConfiguration(seed),
                testConfiguration(newcomer),
            ]
            try await withNodes(configurations) { nodes in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask(executorPreference: Reactor.shared) {
                        await Self.silentSockets(to: a, from: attacker, keep: 16)
                    }
                    // The attack is under way: A holds at most one of its sockets in a handshake.
                    let attackerIP = PeerIP(attacker)
                    #expect(await eventually { await nodes[0].manager.table.pending.contains(attackerIP) })
                    await nodes[0].manager.addKnown(direct, source: .direct)
                    await nodes[0].manager.addKnown(seed, source: .seed)
                    let joined = await nodes[3].connect(to: a, source: .seed, bypassCooldown: false)
                    #expect(joined == nil, "the newcomer was refused: \(String(describing: joined))")
                    // Sockets between the attacker and A that A keeps open, from the kernel's table: a
                    // refused one is half-closed by A at once, so at most the one pending socket (and
                    // one being refused at the instant of a sample) is ever established.
                    let mostHeld = LockedValue(0)
                    let reached = await eventually {
                        let held = establishedConnections(among: [attacker, a.ip])
                        mostHeld.withLock { $0 = max($0, held) }
                        let peers = Set(await nodes[0].manager.sessions.keys)
                        return peers.isSuperset(of: [direct, seed, newcomer].map { PeerIP($0.ip) })
                    }
                    let peers = await nodes[0].manager.sessions.keys.sorted()
                    #expect(reached, "A's peers: \(peers)")
                    #expect(mostHeld.value <= 2, "attacker sockets held by A: \(mostHeld.value)")
                    #expect(await nodes[0].manager.sessions[attackerIP] == nil)
                    group.cancelAll()
                }
            }
        }

        /// Connects (a plain blocking socket: the node sees the kernel's source address for
        /// loopback), breaks the protocol at once (a Ping before any Handshake), and returns the
        /// reason of the node's Disconnect.
        static func violate(_ node: SocketAddress) -> ReasonCode? {
            let deadline = Posix.monotonicNanoseconds() &+ 3_000_000_000
            guard let stream = try? BlockingStream.connect(to: node, deadline: deadline) else { return nil }
            var ping: [UInt8] = []
            Message.ping(nonce: 1).encodeFrame(into: &ping)
            guard (try? stream.sendAll(ping, deadline: deadline)) != nil else { return nil }
            var received: [UInt8] = []
            while let chunk = try? stream.receive(upTo: 65_536, deadline: deadline), !chunk.isEmpty {
                received += chunk
                let frames = (try? FrameDecoder().decodeAll(received).frames) ?? []
                for frame in frames {
                    if case .disconnect(let code) = try? Message.decode(frame.body) { return code }
                }
            }
            return nil
        }

        @Test func inboundProtocolViolator_isBannedAfterThree_withItsReason() async throws {
            let a = testAddress(75, 1)
            try await withNodes([testConfiguration(a)]) { nodes in
                var reasons: [ReasonCode?] = []
                for _ in 0..<4 {
                    // Blocking I/O: off the reactor, which the node runs on.
                    let reason = await withTaskGroup(of: ReasonCode?.self) { group in
                        group.addTask(executorPreference: globalConcurrentExecutor) { Self.violate(a) }
                        return await group.next() ?? nil
                    }
                    reasons.append(reason)
                }
                #expect(reasons == [.protocolViolation, .protocolViolation, .protocolViolation, .peerBanned])
                let bans = await nodes[0].manager.book.bans(now: ConnectionManager.now())
                #expect(bans.count == 1 && bans.first?.lastReason == "protocol_violation", "\(bans)")
                #expect(bans.first?.address.port == 0, "an inbound IP's record has no port")
                #expect(await nodes[0].debugSnapshot().bannedPeers == 1)
            }
        }

        @Test func wrongChainID_isACooldownNotABan_andAfterTheFixTheNodeConnectsWithinTwoTicks() async throws {
            let directory = PeerBookPersistenceTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let honest = testAddress(71, 1)
            let node = testAddress(71, 2)
            let misconfigured = testConfiguration(node) {
                $0.chainID = "testnet"
                $0.dataDirectory = directory
            }
            try await withNodes([testConfiguration(honest), misconfigured], persist: true) { nodes in
                // Well past the old ban threshold (three mismatches).
                for _ in 0..<4 {
                    #expect(await nodes[1].connect(to: honest) == .chainIDMismatch)
                }
                let record = await nodes[1].manager.book[PeerIP(honest.ip)]
                #expect(record?.bannedUntil == nil)
                let cooldown = (record?.cooldownUntil ?? 0) - ConnectionManager.now()
                #expect(cooldown > 9 * 60, "cooldown \(cooldown) s")
                #expect(await nodes[0].manager.book[PeerIP(node.ip)]?.bannedUntil == nil)
                // What `diagnose` reads: every recent handshake failure is a chain id mismatch.
                let snapshot = await nodes[1].debugSnapshot()
                #expect(snapshot.recentHandshakeFailures.byReason["chain_id_mismatch"] == 4)
                #expect(snapshot.recentHandshakeFailures.count == 4)
                #expect(snapshot.bannedPeers == 0)
                #expect(await nodes[0].debugSnapshot().recentHandshakeFailures.byReason["chain_id_mismatch"] == 4)
            }
            // Fixed and restarted: the peer is known only from the book, and dialed at once.
            let fixed = testConfiguration(node) {
                $0.dataDirectory = directory
                $0.tick = .seconds(1)
            }
            try await withNodes([testConfiguration(honest), fixed], persist: true) { nodes in
                #expect(await nodes[1].manager.book[PeerIP(honest.ip)] != nil)
                let connected = await eventually {
                    await nodes[1].manager.sessions[PeerIP(honest.ip)] != nil
                }
                #expect(connected)
                let tick = nodes[1].lastCycleSummary?.tick ?? 0
                #expect(tick <= 2, "connected at tick \(tick)")
            }
        }

        @Test func anchors_savedAtShutdown_areDialedFirstAfterRestart_beforeSeeds() async throws {
            let directory = PeerBookPersistenceTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let (one, two, three) = (testAddress(72, 1), testAddress(72, 2), testAddress(72, 3))
            let node = testAddress(72, 5)
            let first = testConfiguration(node) {
                $0.seeds = [two, three]
                $0.dataDirectory = directory
            }
            let others = [one, two, three].map { testConfiguration($0) }
            try await withNodes([first] + others, persist: true) { nodes in
                #expect(await eventually { await nodes[0].manager.anchorCandidates().count == 2 })
            }
            let store = AnchorStore(dataDirectory: directory)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            let bytes = try #require(
                FileManager.default.contents(atPath: store.path), "no anchors.json; the data dir holds \(files)")
            let saved = try JSONSerialization.jsonObject(with: bytes)
            let anchors = (saved as? [String: Any])?["anchors"] as? [String]
            #expect(Set(anchors ?? []) == ["127.0.72.2:7071", "127.0.72.3:7071"])
            // Two slots only, and a seed that is not an anchor: the anchors come first.
            let restarted = testConfiguration(node) {
                $0.seeds = [one]
                $0.dataDirectory = directory
                $0.minimumOutbound = 2
                $0.maximumPeers = 2
            }
            try await withNodes([restarted] + others, persist: true) { nodes in
                #expect(!FileManager.default.fileExists(atPath: store.path), "anchors.json is deleted when read")
                let peers = [two, three].map { PeerIP($0.ip) }
                let reached = await eventually { Set(await nodes[0].manager.sessions.keys) == Set(peers) }
                let sessions = await nodes[0].manager.sessions.keys.sorted()
                #expect(reached, "\(sessions)")
                #expect(await nodes[0].manager.totals.dialAttempts[.seed] == nil)
            }
        }

        @Test func lanFullMesh_ofTwelve_withMaxPeers64_everyNodeReachesEleven() async throws {
            let addresses = (1...12).map { testAddress(73, $0) }
            let configurations = addresses.map { address in
                testConfiguration(address) {
                    $0.maximumPeers = 64
                    $0.seeds = address == addresses[0] ? [] : [addresses[0]]
                }
            }
            try await withNodes(configurations, timeout: .seconds(40)) { nodes in
                let formed = await eventually(timeout: .seconds(20)) {
                    for node in nodes where await node.manager.sessions.count != 11 { return false }
                    return true
                }
                var counts: [Int] = []
                for node in nodes { counts.append(await node.manager.sessions.count) }
                #expect(formed, "sessions per node: \(counts)")
                #expect(nodes.allSatisfy { $0.lastCycleSummary?.target == 64 })
                let ips = Set(addresses.map(\.ip))
                #expect(await eventually { establishedConnections(among: ips) == 66 })
            }
        }

        @Test func lanNode_atItsPeerLimit_saysSoInTheCycleReport() async throws {
            let addresses = (1...4).map { testAddress(74, $0) }
            let hub = testConfiguration(addresses[3]) {
                $0.maximumPeers = 2
                $0.minimumOutbound = 2
                $0.seeds = Array(addresses.prefix(3))
            }
            try await withNodes([hub] + addresses.prefix(3).map { testConfiguration($0) }) { nodes in
                #expect(await eventually { await nodes[0].manager.sessions.count == 2 })
                let cycle = await nodes[0].maintainerCycle()
                #expect(cycle.reasons[.maxPeersReached]?.count == 1, "\(cycle.reasons)")
            }
        }
    }
}
