import Testing

@testable import Actors
@testable import Wire

extension MeshSuite {
    @Suite struct MeshFormationTests {
        @Test func threeNodes_formFullMesh_higherIPDials() async throws {
            let addresses = (1...3).map { testAddress(11, $0) }
            let configurations = addresses.map { address in
                testConfiguration(address) { $0.seeds = addresses.filter { $0 != address } }
            }
            try await withNodes(configurations) { nodes in
                let formed = await eventually {
                    var all = true
                    for node in nodes where await node.manager.sessions.count != 2 { all = false }
                    return all
                }
                #expect(formed)
                for node in nodes {
                    let own = PeerIP(node.listenAddress.ip)
                    for (peer, direction) in await node.sessionDirections() {
                        #expect(direction == (own > peer ? .outbound : .inbound), "\(own) -> \(peer)")
                    }
                }
                let ips = Set(addresses.map(\.ip))
                #expect(await eventually { establishedConnections(among: ips) == 3 })
            }
        }

        @Test func sixteenNodes_allDialingEachOther_keepOneConnectionPerPair() async throws {
            let addresses = (1...16).map { testAddress(12, $0) }
            let configurations = addresses.map { address in
                testConfiguration(address) { $0.directPeers = addresses.filter { $0 != address } }
            }
            try await withNodes(configurations, timeout: .seconds(60)) { nodes in
                let formed = await eventually(timeout: .seconds(20)) {
                    for node in nodes where await node.manager.sessions.count != 15 { return false }
                    return true
                }
                #expect(formed)
                let ips = Set(addresses.map(\.ip))
                // Count sockets, not registry entries: losers of the tie-break must be closed.
                let settled = await eventually { establishedConnections(among: ips) == 120 }
                #expect(settled, "established: \(establishedConnections(among: ips))")
                for node in nodes {
                    #expect(await node.registry.count == 15)
                }
            }
        }

        @Test func lowerNode_dialsAfterGraceTick_whenHigherNeverDials() async throws {
            let low = testAddress(13, 1)
            let high = testAddress(13, 2)
            // Only the lower node knows the higher one, from its peer book (not a seed).
            var lowConfiguration = testConfiguration(low)
            lowConfiguration.minimumOutbound = 1
            // Only the cycles this test runs count: the node's own loop runs once at start (with
            // an empty book), then not for a minute, so a loaded machine cannot reorder them.
            lowConfiguration.tick = .seconds(60)
            let configurations = [lowConfiguration, testConfiguration(high)]
            try await withNodes(configurations) { nodes in
                #expect(await eventually { nodes[0].lastCycleSummary != nil })
                await nodes[0].manager.addKnown(high, source: .peerBook)
                let first = await nodes[0].maintainerCycle()
                #expect(first.reasons[.awaitingInbound]?.count == 1)
                #expect(first.attempted == 0)
                // One tick later the higher node has still not dialed: the lower one dials it.
                let second = await nodes[0].maintainerCycle()
                #expect(second.attempted == 1 && second.connected == 1)
                #expect(await nodes[0].sessionDirections()[PeerIP(high.ip)] == .outbound)
            }
        }

        @Test(arguments: [
            ("chain", ReasonCode.chainIDMismatch), ("genesis", .genesisMismatch), ("version", .versionMismatch),
        ])
        func handshakeMismatch_givesItsReasonOnBothSides(_ field: String, _ reason: ReasonCode) async throws {
            let a = testAddress(14, 1)
            let b = testAddress(14, 2)
            let configurations = [
                testConfiguration(a),
                testConfiguration(b) {
                    switch field {
                    case "chain": $0.chainID = "testnet"
                    case "genesis": $0.genesis = GenesisHash(bytes: [UInt8](repeating: 1, count: 32))!
                    default:
                        $0.protocolVersion = 99
                        $0.minimumProtocolVersion = 99
                    }
                },
            ]
            try await withNodes(configurations) { nodes in
                let outcome = await nodes[1].connect(to: a)
                #expect(outcome == reason)
                #expect(await nodes[1].manager.dialFailures.last?.reason == reason.rawValue)
                #expect(await eventually { await nodes[0].manager.totals.handshakeFailures[reason] == 1 })
                #expect(await nodes[0].manager.sessions.isEmpty)
                #expect(await nodes[1].manager.sessions.isEmpty)
            }
        }

        @Test func discovery_aKnowsB_bKnowsC_aConnectsToC() async throws {
            let a = testAddress(15, 3)
            let b = testAddress(15, 2)
            let c = testAddress(15, 1)
            let configurations = [
                testConfiguration(a) { $0.seeds = [b] },
                testConfiguration(b) { $0.seeds = [c] },
                testConfiguration(c),
            ]
            try await withNodes(configurations) { nodes in
                #expect(
                    await eventually {
                        await nodes[0].manager.sessions[PeerIP(c.ip)] != nil
                    })
                // A heard of C from B (gossip), unless C, which heard of A the same way, dialed
                // first: then A's entry is refined to the address C's handshake gave.
                let source = await nodes[0].manager.book[PeerIP(c.ip)]?.source
                #expect(source == .gossip || source == .handshake, "\(String(describing: source))")
                #expect(await nodes[0].manager.book[PeerIP(c.ip)]?.source != .seed)
            }
        }

        @Test func payloads_broadcastAndSend() async throws {
            let a = testAddress(16, 1)
            let b = testAddress(16, 2)
            let c = testAddress(16, 3)
            let configurations = [a, b, c].map { address in
                testConfiguration(address) { $0.seeds = [a, b, c].filter { $0 != address } }
            }
            try await withNodes(configurations) { nodes in
                #expect(await eventually { await nodes[0].registry.count == 2 })
                #expect(await eventually { await nodes[1].registry.count == 2 })
                #expect(await eventually { await nodes[2].registry.count == 2 })
                #expect(await nodes[0].registry.broadcast([1, 2, 3]) == 2)
                #expect(await nodes[0].registry.send([4], to: PeerIP(b.ip)))
                var received = nodes[1].payloads.makeAsyncIterator()
                let first = await received.next()
                let second = await received.next()
                #expect(first?.0 == PeerIP(a.ip))
                #expect(first?.1 == [1, 2, 3])
                #expect(second?.1 == [4])
                var atC = nodes[2].payloads.makeAsyncIterator()
                #expect(await atC.next()?.1 == [1, 2, 3])
                #expect(await nodes[2].send([5], to: PeerIP(a.ip)))
                var atA = nodes[0].payloads.makeAsyncIterator()
                #expect(await atA.next()?.1 == [5])
                let stats = await nodes[0].stats()
                #expect(stats.peers.map(\.ip) == [PeerIP(b.ip), PeerIP(c.ip)])
                #expect(stats.tiers[.hot] == 2)
            }
        }
    }
}
