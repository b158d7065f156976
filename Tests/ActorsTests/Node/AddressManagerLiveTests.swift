import Foundation
import TestSupport
import Testing

@testable import Actors
@testable import Wire

/// The address manager on real sockets (issue #13): a peer that floods our book through its
/// PeerLists does not get most of our outbound picks, and a PeerList naming honest peers at a
/// dead port, heard first, does not keep us from reaching them at their real port. Loopback
/// ranges: nodes on 127.0.160.x and 127.0.161.x; the flooded addresses are 127.156-255.Y.1
/// (never listened on, so a dial to one is refused at once).
extension MeshSuite {
    @Suite struct AddressManagerLiveTests {
        static func temporaryDirectory() -> String {
            let path = NSTemporaryDirectory() + "meshnode-addrman-\(UInt32.random(in: 0...UInt32.max))"
            try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }

        /// Writes `<directory>/peers.json` holding `addresses`, each as gossip heard from itself.
        static func plantBook(_ addresses: [SocketAddress], in directory: String) throws {
            var book = PeerBook()
            let now = ConnectionManager.now()
            for address in addresses { book.add(address, source: .gossip, from: PeerIP(address.ip), now: now) }
            try PeerBookStore(dataDirectory: directory).save(book)
        }

        /// A node that only answers: no dials (off the LAN it never dials loopback), any inbound.
        static func listener(_ address: SocketAddress, directory: String? = nil) -> NodeConfiguration {
            testConfiguration(address) {
                $0.lan = false
                $0.minimumOutbound = 0
                $0.dataDirectory = directory
            }
        }

        @Test func aBookFloodedThroughPeerLists_overAHundredSlash16s_getsAtMostHalfOfOurPicks() async throws {
            let victimDirectory = Self.temporaryDirectory()
            let attackerDirectory = Self.temporaryDirectory()
            defer {
                for path in [victimDirectory, attackerDirectory] { try? FileManager.default.removeItem(atPath: path) }
            }
            let sybils = (0..<1_000).map { (index: Int) -> SocketAddress in
                let group = UInt32(156 + index % 100)
                let host = UInt32(index / 100)
                return SocketAddress(ip: .v4(0x7F00_0001 | group << 16 | host << 8), port: 7071)
            }
            #expect(Set(sybils.map { NetworkGroup($0.ip) }).count == 100)
            try Self.plantBook(sybils, in: attackerDirectory)
            let victim = testAddress(161, 1)
            let seed = testAddress(161, 2)
            let attacker = testAddress(161, 3)
            let honest = (11...16).map { testAddress(161, $0) }
            let victimConfiguration = testConfiguration(victim) {
                $0.seeds = [seed]
                $0.minimumOutbound = 8
                $0.maximumPeers = 8
                $0.dataDirectory = victimDirectory
            }
            let configurations =
                [victimConfiguration, testConfiguration(seed) { $0.directPeers = honest }]
                + honest.map { Self.listener($0) } + [Self.listener(attacker, directory: attackerDirectory)]
            // Before the attack: the victim reaches the honest peers itself (they become tried);
            // then it talks to the attacker, whose PeerLists flood its book.
            try await withNodes(configurations, persist: true, timeout: .seconds(60)) { nodes in
                let reached = await eventually(timeout: .seconds(30)) {
                    let sessions = await nodes[0].manager.sessions
                    return honest.allSatisfy { sessions[PeerIP($0.ip)]?.direction == .outbound }
                }
                #expect(reached, "the victim did not reach the honest peers")
                _ = await nodes[0].connect(to: attacker, source: .peerBook, bypassCooldown: true)
                let flooded = await eventually(timeout: .seconds(20)) {
                    let book = await nodes[0].manager.book
                    return sybils.lazy.filter { book.addresses[PeerIP($0.ip)] != nil }.count >= 100
                }
                #expect(flooded, "the attacker's PeerLists did not reach the victim's book")
            }
            // After a restart: the picks of the first cycle, from the persisted book.
            var restarted = victimConfiguration
            restarted.seeds = []
            // Listening on no particular IP: no direction rule defers a pick (a lower IP waits a
            // tick for the higher one to dial), so every draw of the cycle is a dial.
            restarted.listen = SocketAddress(ip: .v4(0), port: 0)
            let node = try MeshNode(configuration: restarted, logger: testLogger, persist: true)
            let book = await node.manager.book
            let (savedKey, keyOutcome) = try AddressKeyStore(dataDirectory: victimDirectory).loadOrCreate()
            #expect(keyOutcome == .loaded && book.addresses.key == savedKey, "the bucket key did not persist")
            let known = sybils.filter { book.addresses[PeerIP($0.ip)] != nil }.count
            #expect(known >= 100 && known <= 16 * 32, "\(known) sybils in the book: one source, 16 buckets")
            #expect(honest.allSatisfy { book.addresses[PeerIP($0.ip)]?.table == .tried }, "tried did not stay tried")
            let picks = await node.manager.planCycle().dials.map { PeerIP($0.0.ip) }
            let honestIPs = Set((honest + [seed]).map { PeerIP($0.ip) })
            let attackers = picks.filter { !honestIPs.contains($0) }.count
            print("book poisoning: \(known) sybils known, \(attackers) of \(picks.count) picks the attacker's")
            #expect(picks.count == 8)
            #expect(attackers * 2 <= picks.count, "\(attackers) of \(picks.count) picks were the attacker's: \(picks)")
        }

        @Test func aPeerListNamingHonestPeersAtADeadPort_heardFirst_doesNotKeepUsFromThem() async throws {
            let liarDirectory = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: liarDirectory) }
            let victim = testAddress(160, 1)
            let seed = testAddress(160, 2)
            let liar = testAddress(160, 3)
            let honest = (11...13).map { testAddress(160, $0) }
            try Self.plantBook(honest.map { SocketAddress(ip: $0.ip, port: 1) }, in: liarDirectory)
            let configurations =
                [
                    testConfiguration(victim) { $0.directPeers = [liar] },
                    testConfiguration(seed) { $0.directPeers = honest },
                ] + honest.map { Self.listener($0) } + [Self.listener(liar, directory: liarDirectory)]
            try await withNodes(configurations, persist: true, timeout: .seconds(60)) { nodes in
                let lied = await eventually(timeout: .seconds(20)) {
                    let book = await nodes[0].manager.book
                    return honest.allSatisfy { book[PeerIP($0.ip)]?.address.port == 1 }
                }
                #expect(lied, "the liar's list did not arrive first")
                // Now the honest seed, whose list names the real ports.
                _ = await nodes[0].connect(to: seed, source: .seed, bypassCooldown: true)
                let reached = await eventually(timeout: .seconds(30)) {
                    let sessions = await nodes[0].manager.sessions
                    return honest.allSatisfy { sessions[PeerIP($0.ip)]?.direction == .outbound }
                }
                let book = await nodes[0].manager.book
                let ports = honest.map { book[PeerIP($0.ip)]?.address.port }
                #expect(reached, "ports in the victim's book: \(ports)")
                #expect(ports.allSatisfy { $0 == 7071 })
                // Reached by our own dial: pinned, and in tried.
                #expect(honest.allSatisfy { book.addresses[PeerIP($0.ip)]?.table == .tried })
            }
        }
    }
}
