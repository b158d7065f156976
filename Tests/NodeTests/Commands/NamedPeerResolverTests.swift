import TestSupport
import Testing

@testable import Actors
@testable import Diagnostics
@testable import Node
@testable import Wire

/// A `--peer` name is resolved again while its dials fail (a host that moved, DNS that was
/// down at start), and the new address is dialed: two in-process nodes on 127.0.68.x, the
/// name's answers given by the test.
@Suite(.serialized) struct NamedPeerResolverTests {
    static func configuration(_ host: UInt32) -> NodeConfiguration {
        var configuration = NodeConfiguration()
        configuration.listen = SocketAddress(ip: .v4(0x7F00_4400 | host), port: 7071)
        configuration.lan = true
        configuration.tick = .milliseconds(100)
        configuration.cooldownBase = .seconds(30)
        configuration.dialTimeout = .seconds(1)
        return configuration
    }

    @Test func onlyAddressesOfTheSourceFamily_areDialable() {
        let v4 = IPAddress.v4(0x7F00_0001)
        let v6 = IPAddress.v6(0, 1)
        var configuration = NodeConfiguration()
        let any = NamedPeerResolver.dialable(for: configuration)
        #expect(any(v4) && any(v6))
        configuration.listen = SocketAddress(ip: .v4(0x7F00_0002), port: 7071)
        let fromV4 = NamedPeerResolver.dialable(for: configuration)
        #expect(fromV4(v4) && !fromV4(v6))
        configuration.listen = SocketAddress(ip: .v6(0, 1), port: 7071)
        let fromV6 = NamedPeerResolver.dialable(for: configuration)
        #expect(!fromV6(v4) && fromV6(v6))
        configuration.listen = SocketAddress(ip: .v4(0), port: 7071)
        configuration.ipv4Only = true
        let ipv4Only = NamedPeerResolver.dialable(for: configuration)
        #expect(ipv4Only(v4) && !ipv4Only(v6))
    }

    @Test func nameWhoseFirstAddressFails_isResolvedAgain_andItsNewAddressIsDialed() async throws {
        try await ExclusiveIO.shared.run {
            let name = NamedPeer(host: "moved.test", port: 7071, source: .direct)
            let answers = LockedValue(0)
            var lookingUp = NamedPeerResolver(names: [name], logger: .silent, firstWait: .milliseconds(100))
            // First the old address (nobody listens there), then the node's real one.
            lookingUp.lookUp = { _ in
                let call = answers.withLock { count -> Int in
                    count += 1
                    return count
                }
                return .success([.v4(call == 1 ? 0x7F00_4409 : 0x7F00_4401)])
            }
            let resolver = lookingUp
            let target = try MeshNode(configuration: Self.configuration(1), persist: false)
            let dialer = try MeshNode(configuration: Self.configuration(2), persist: false)
            let connected = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await target.run(); return false
                }
                group.addTask {
                    await dialer.run(); return false
                }
                group.addTask(executorPreference: Reactor.shared) {
                    await resolver.run(node: dialer)
                    return false
                }
                let deadline = ContinuousClock.now + .seconds(15)
                var connected = false
                while ContinuousClock.now < deadline && !connected {
                    connected = await dialer.manager.sessions[PeerIP(.v4(0x7F00_4401))] != nil
                    if !connected { try? await Task.sleep(for: .milliseconds(50)) }
                }
                await dialer.shutdown()
                await target.shutdown()
                group.cancelAll()
                await group.waitForAll()
                return connected
            }
            #expect(connected)
            #expect(answers.value >= 2)
            // Both addresses are in the book as direct peers; the first one's dial failed.
            let book = await dialer.manager.book
            #expect(book[PeerIP(.v4(0x7F00_4401))]?.source == .direct)
            #expect(book[PeerIP(.v4(0x7F00_4409))]?.source == .direct)
            let failures = await dialer.manager.dialFailures
            #expect(failures.contains { $0.address == "127.0.68.9:7071" && $0.reason == "connection_refused" })
        }
    }

    @Test func nameHoldingASession_isNotResolvedAgain() async throws {
        try await ExclusiveIO.shared.run {
            let name = NamedPeer(host: "steady.test", port: 7071, source: .direct)
            let answers = LockedValue(0)
            var lookingUp = NamedPeerResolver(names: [name], logger: .silent, firstWait: .milliseconds(100))
            lookingUp.lookUp = { _ in
                answers.withLock { $0 += 1 }
                return .success([.v4(0x7F00_4403)])
            }
            let resolver = lookingUp
            let target = try MeshNode(configuration: Self.configuration(3), persist: false)
            let dialer = try MeshNode(configuration: Self.configuration(4), persist: false)
            let lookUpsWhileConnected = await withTaskGroup(of: Int.self) { group in
                group.addTask {
                    await target.run(); return 0
                }
                group.addTask {
                    await dialer.run(); return 0
                }
                group.addTask(executorPreference: Reactor.shared) {
                    await resolver.run(node: dialer)
                    return 0
                }
                let deadline = ContinuousClock.now + .seconds(15)
                while ContinuousClock.now < deadline, await dialer.manager.sessions.isEmpty {
                    try? await Task.sleep(for: .milliseconds(50))
                }
                let before = answers.value
                // Ten of the resolver's rounds with the session up.
                try? await Task.sleep(for: .seconds(1))
                let after = answers.value
                await dialer.shutdown()
                await target.shutdown()
                group.cancelAll()
                await group.waitForAll()
                return after - before
            }
            #expect(lookUpsWhileConnected == 0)
        }
    }
}
