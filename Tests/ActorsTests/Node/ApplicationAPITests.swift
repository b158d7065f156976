import Testing

@testable import Actors
@testable import Wire

/// The library API an application builds on: events, control, handshake bytes and channels,
/// over real sockets on 127.0.140-146.x.
extension MeshSuite {
    @Suite struct ApplicationAPITests {
        /// The next event matching `match`, or nil after `timeout`.
        static func next(
            _ events: PeerEvents, timeout: Duration = .seconds(10), where match: @escaping @Sendable (PeerEvent) -> Bool
        ) async -> PeerEvent? {
            await withTaskGroup(of: PeerEvent?.self) { group in
                group.addTask {
                    for await event in events where match(event) { return event }
                    return nil
                }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }

        @Test func connected_carriesTheirBytesAndTheAgreedVersion_disconnected_saysWhoEndedIt() async throws {
            let a = testAddress(140, 1)
            let b = testAddress(140, 2)
            let configurations = [
                testConfiguration(a) {
                    $0.handshakeData = Array("height=7".utf8)
                    $0.protocolVersion = 9  // a newer build that still speaks ours
                },
                testConfiguration(b),
            ]
            try await withNodes(configurations) { nodes in
                let atA = nodes[0].events()
                let atB = nodes[1].events()
                #expect(await nodes[1].connect(a, persist: false) == nil)
                let connected = await Self.next(atB) { if case .connected = $0 { true } else { false } }
                guard case .connected(let peer) = connected else {
                    Issue.record("no connected event at B")
                    return
                }
                #expect(peer.ip == PeerIP(a.ip) && peer.listenAddress == a && peer.direction == .outbound)
                #expect(peer.application == Array("height=7".utf8))
                #expect(peer.agreedVersion == Handshake.currentProtocolVersion)
                #expect(await nodes[1].peers() == [peer])

                #expect(await nodes[0].disconnect(PeerIP(b.ip)))
                let endedAtA = await Self.next(atA) { if case .disconnected = $0 { true } else { false } }
                let endedAtB = await Self.next(atB) { if case .disconnected = $0 { true } else { false } }
                #expect(
                    endedAtA
                        == .disconnected(
                            DisconnectedPeer(
                                ip: PeerIP(b.ip), direction: .inbound, endedBy: .local, reason: .localDisconnect,
                                remoteReason: nil)))
                #expect(
                    endedAtB
                        == .disconnected(
                            DisconnectedPeer(
                                ip: PeerIP(a.ip), direction: .outbound, endedBy: .remote, reason: .remoteClosed,
                                remoteReason: .localDisconnect)))
                #expect(await nodes[0].disconnect(PeerIP(b.ip)) == false)
            }
        }

        @Test func ban_closesTheSessionAndRefusesTheIP_untilUnbanned() async throws {
            let a = testAddress(141, 1)
            let b = testAddress(141, 2)
            try await withNodes([testConfiguration(a), testConfiguration(b)]) { nodes in
                let atA = nodes[0].events()
                #expect(await nodes[1].connect(a, persist: false) == nil)
                #expect(await eventually { await nodes[0].registry.count == 1 })
                let until = await nodes[0].ban(PeerIP(b.ip), reason: "sent an invalid block", duration: .seconds(600))
                #expect(until > ConnectionManager.now() + 590)
                let banned = await Self.next(atA) { if case .banned = $0 { true } else { false } }
                #expect(banned == .banned(PeerIP(b.ip), until: until, reason: "sent an invalid block"))
                let ended = await Self.next(atA) { if case .disconnected = $0 { true } else { false } }
                guard case .disconnected(let peer) = ended else {
                    Issue.record("no disconnected event")
                    return
                }
                #expect(peer.reason == .peerBanned && peer.endedBy == .local)
                #expect(await eventually { await nodes[1].registry.count == 0 })
                #expect(await nodes[1].connect(a, persist: false) == .peerBanned)
                #expect(await nodes[0].connect(b, persist: false) == .peerBanned)

                #expect(await nodes[0].unban(PeerIP(b.ip)))
                #expect(await Self.next(atA) { $0 == .unbanned(PeerIP(b.ip)) } != nil)
                #expect(await nodes[0].unban(PeerIP(b.ip)) == false)
                #expect(await nodes[1].connect(a, persist: false) == nil)

                // Hostile durations: no trap, at most a century, a negative one bans nobody.
                let forever = await nodes[0].ban(PeerIP(b.ip), reason: "x", duration: .seconds(Int64.max))
                #expect(forever <= ConnectionManager.now() + ConnectionManager.longestBan)
                #expect(await nodes[0].unban(PeerIP(b.ip)))
                await nodes[0].ban(PeerIP(b.ip), reason: "x", duration: .seconds(-5))
                #expect(await nodes[0].unban(PeerIP(b.ip)) == false)
            }
        }

        @Test func aConfigurationNoPeerCouldAgreeWith_orOversizedHandshakeData_isRefusedAtStart() {
            #expect(throws: NodeStartError.self) {
                try MeshNode(
                    configuration: testConfiguration(testAddress(146, 9)) {
                        $0.protocolVersion = 2
                        $0.minimumProtocolVersion = 3
                    }, persist: false)
            }
            #expect(throws: NodeStartError.self) {
                try MeshNode(
                    configuration: testConfiguration(testAddress(146, 9)) {
                        $0.handshakeData = [UInt8](repeating: 0, count: 1025)
                    },
                    persist: false)
            }
        }

        @Test func connectPersist_makesADirectPeer_redialedAfterADisconnect() async throws {
            let a = testAddress(146, 1)
            let b = testAddress(146, 2)
            let c = testAddress(146, 3)
            // No node looks for outbound peers of its own: only a direct peer is redialed.
            let configurations = [a, b, c].map { testConfiguration($0) { $0.minimumOutbound = 0 } }
            try await withNodes(configurations) { nodes in
                #expect(await nodes[0].connect(b, persist: true) == nil)
                #expect(await nodes[0].connect(c, persist: false) == nil)
                #expect(await nodes[0].manager.book[PeerIP(b.ip)]?.source == .direct)
                #expect(await nodes[0].manager.book[PeerIP(c.ip)]?.source != .direct)
                #expect(await nodes[0].disconnect(PeerIP(b.ip)))
                #expect(await eventually { await nodes[0].manager.sessions[PeerIP(b.ip)]?.direction == .outbound })
            }
        }

        @Test func applicationHook_refusesAPeer_asAHandshakeFailureWithItsReason() async throws {
            let a = testAddress(142, 1)
            let b = testAddress(142, 2)
            let configurations = [testConfiguration(a), testConfiguration(b) { $0.handshakeData = [0xEE] }]
            try await withNodes(configurations) { nodes in
                let seen = LockedValue<[ConnectedPeer]>([])
                nodes[0].setHandshakeValidator { peer in
                    seen.withLock { $0.append(peer) }
                    return peer.application == [0xEE] ? "another genesis block" : nil
                }
                #expect(await nodes[1].connect(a, persist: false) == .applicationRefused)
                #expect(
                    await eventually { await nodes[0].manager.totals.handshakeFailures[.applicationRefused] == 1 })
                #expect(seen.value.map(\.direction) == [.inbound])
                #expect(seen.value.first?.agreedVersion == Handshake.currentProtocolVersion)
                #expect(await nodes[0].registry.count == 0)
                #expect(await nodes[1].registry.count == 0)
                nodes[1].setHandshakeData([0x01])
                #expect(await nodes[1].connect(a, persist: false) == nil)
            }
        }

        @Test func networkInactive_closesEverySession_andRefusesDialsAndAccepts_untilActiveAgain() async throws {
            let a = testAddress(143, 1)
            let b = testAddress(143, 2)
            let c = testAddress(143, 3)
            try await withNodes([testConfiguration(a), testConfiguration(b), testConfiguration(c)]) { nodes in
                #expect(await nodes[0].connect(b, persist: false) == nil)
                #expect(await nodes[2].connect(a, persist: false) == nil)
                #expect(await eventually { await nodes[0].registry.count == 2 })
                await nodes[0].setNetworkActive(false)
                #expect(await nodes[0].isNetworkActive == false)
                #expect(await nodes[0].registry.count == 0)
                #expect(await eventually { await nodes[1].registry.count == 0 })
                #expect(await eventually { await nodes[2].registry.count == 0 })
                #expect(await nodes[0].connect(b, persist: false) == .networkInactive)
                let refused = await nodes[2].connect(a, persist: false)
                #expect(refused == .networkInactive)
                await nodes[0].setNetworkActive(true)
                #expect(await nodes[0].connect(b, persist: false) == nil)
            }
        }

        @Test func channels_deliverToTheirSubscription_othersToTheCatchAll() async throws {
            let a = testAddress(144, 1)
            let b = testAddress(144, 2)
            try await withNodes([testConfiguration(a), testConfiguration(b)]) { nodes in
                let blocks = nodes[1].subscribe(channel: 5)
                #expect(await nodes[0].connect(b, persist: false) == nil)
                #expect(await eventually { await nodes[0].registry.count == 1 })
                #expect(await nodes[0].send([1], channel: 5, to: PeerIP(b.ip)))
                #expect(await nodes[0].broadcast([2], channel: 6) == 1)
                #expect(await nodes[0].send([3], channel: 5, to: PeerIP(b.ip)))
                var five = blocks.makeAsyncIterator()
                #expect(await five.next()?.1 == [1])
                #expect(await five.next()?.1 == [3])
                var rest = nodes[1].payloads.makeAsyncIterator()
                let other = await rest.next()
                #expect(other?.0 == PeerIP(a.ip) && other?.1 == [2])
            }
        }

        /// A subscriber that does not keep up stops the node reading that peer (TCP holds the
        /// rest back) instead of buffering without bound; draining resumes it, nothing lost.
        @Test func aSlowSubscriber_pausesReadingThePeer_andDrainingResumesIt() async throws {
            let a = testAddress(145, 1)
            let b = testAddress(145, 2)
            let bound = 64 << 10
            let configurations = [testConfiguration(a), testConfiguration(b) { $0.channelBufferBytes = bound }]
            try await withNodes(configurations) { nodes in
                let stream = nodes[1].subscribe(channel: 1)
                #expect(await nodes[0].connect(b, persist: false) == nil)
                #expect(await eventually { await nodes[1].registry.count == 1 })
                let count = 2_000
                let size = 1024
                let sender = Task {
                    for index in 0..<count {
                        var payload = [UInt8](repeating: 0, count: size)
                        payload[0] = UInt8(truncatingIfNeeded: index)
                        payload[1] = UInt8(truncatingIfNeeded: index >> 8)
                        while !(await nodes[0].send(payload, channel: 1, to: PeerIP(b.ip))) {
                            try? await Task.sleep(for: .milliseconds(5))
                        }
                    }
                }
                let paused = await eventually {
                    await nodes[1].registry.peers[PeerIP(a.ip)]?.connection.isReadingPaused == true
                }
                #expect(paused)
                // Held back: what waits in the subscription is within the bound plus one read cycle.
                let waiting = nodes[1].application.channels.subscriptionForTests(1)?.waitingBytes(of: PeerIP(a.ip)) ?? 0
                #expect(waiting >= bound && waiting <= bound + (64 << 10) + size + 8)
                var received = 0
                for await (_, payload) in stream {
                    #expect(Int(payload[0]) | Int(payload[1]) << 8 == received % 65_536)
                    received += 1
                    if received == count { break }
                }
                #expect(received == count)
                await sender.value
                #expect(await nodes[1].registry.peers[PeerIP(a.ip)]?.connection.isReadingPaused == false)
            }
        }
    }
}
