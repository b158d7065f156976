import Foundation
import Testing

@testable import Actors
@testable import Diagnostics
@testable import Wire

extension MeshSuite {
    /// The debug endpoint's operator routes as the node carries them out (bitcoind's
    /// disconnectnode / setban / listbanned / addnode onetry).
    @Suite struct OperatorControlTests {
        static let a = testAddress(61, 1)
        static let b = testAddress(61, 2)

        /// B dials A as a `--peer`.
        static var pair: [NodeConfiguration] {
            [testConfiguration(a), testConfiguration(b) { $0.directPeers = [a] }]
        }

        static func error<Value>(_ result: Result<Value, ControlError>) -> ControlError? {
            if case .failure(let error) = result { return error }
            return nil
        }

        @Test func disconnect_closesTheSessionAsOperatorDisconnect() async throws {
            try await withNodes(Self.pair) { nodes in
                let b = nodes[1]
                #expect(await eventually { await b.manager.sessions.count == 1 })
                try await b.disconnect(ip: "127.0.61.1").get()
                #expect(await eventually { await b.manager.totals.disconnects[.operatorDisconnect] == 1 })
                #expect(Self.error(await b.disconnect(ip: "127.0.61.9"))?.kind == .notFound)
                #expect(Self.error(await b.disconnect(ip: "127.0.61"))?.kind == .invalid)
            }
        }

        @Test func ban_closesTheSession_keepsThePairApart_andUnbanLetsItBack() async throws {
            try await withNodes(Self.pair) { nodes in
                let (a, b) = (nodes[0], nodes[1])
                #expect(await eventually { await b.manager.sessions.count == 1 })
                let ban = try (await b.ban(ip: "127.0.61.1", seconds: 60)).get()
                #expect(ban.disconnected)
                #expect(ban.bannedUntilUnix >= Int(ConnectionManager.now()) + 59)
                #expect(await eventually { await b.manager.totals.disconnects[.operatorBan] == 1 })
                #expect(await b.bans().map(\.ip) == ["127.0.61.1"])
                #expect(await b.bans().first?.reason == "operator_ban")
                // Neither B's dial (peer_banned) nor A's (refused inbound) gets through, tick after tick.
                let apart = ContinuousClock.now + .seconds(1)
                while ContinuousClock.now < apart {
                    let (sessionsOfB, sessionsOfA) = (await b.manager.sessions, await a.manager.sessions)
                    #expect(sessionsOfB.isEmpty && sessionsOfA.isEmpty)
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await b.unban(ip: "127.0.61.1").get()
                #expect(await b.bans().isEmpty)
                #expect(await eventually { await b.manager.sessions.count == 1 })
                #expect(Self.error(await b.unban(ip: "127.0.61.1"))?.kind == .notFound)
            }
        }

        // POST /api/p2p/connect without persist: the address does not become a permanent
        // `direct` peer (the issue: 105 POSTs left 105 of them, which then took the slots).
        @Test func connect_isOneShot_unlessPersist() async throws {
            let c = testAddress(61, 3)
            try await withNodes([testConfiguration(Self.a), testConfiguration(Self.b), testConfiguration(c)]) { nodes in
                let b = nodes[1]
                try await b.connect("127.0.61.1:7071", persist: false).get()
                #expect(await b.manager.book[PeerIP(Self.a.ip)]?.source == .handshake)
                let closed = await b.connect("127.0.61.9:7071", persist: false)
                #expect((try? closed.get()) == nil)
                #expect(await b.manager.book[PeerIP(IPAddress(parsing: "127.0.61.9")!)] == nil)
                try await b.connect("127.0.61.3:7071", persist: true).get()
                #expect(await b.manager.book[PeerIP(c.ip)]?.source == .direct)
            }
        }

        @Test func cookie_isFreshPerStart_private_andRemovedAtShutdown() async throws {
            let directory = NSTemporaryDirectory() + "meshnode-cookie-\(UInt32.random(in: 0...UInt32.max))"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let configuration = testConfiguration(testAddress(61, 4)) {
                $0.debugListen = testAddress(61, 4, port: 0)
                $0.dataDirectory = directory
            }
            var seen: [String] = []
            for _ in 0..<2 {
                let cookie = try await withNodes([configuration], persist: true) { nodes in
                    let path = directory + "/.cookie"
                    #expect(await eventually { (try? Posix.readFile(path)) != nil })
                    let text = String(decoding: try #require(try Posix.readFile(path)), as: UTF8.self)
                    #expect(text == nodes[0].debugCookie)
                    #expect(text.count == 64 && text.allSatisfy(\.isHexDigit))
                    #expect(Posix.fileMode(path) == 0o600)
                    return text
                }
                seen.append(cookie)
                #expect((try? Posix.readFile(directory + "/.cookie")) == nil)
            }
            #expect(Set(seen).count == 2)
        }

        @Test func settings_sayWhereEachCameFrom() async throws {
            let configuration = testConfiguration(testAddress(61, 5)) { $0.settingSources = ["max-peers": "flag"] }
            try await withNodes([configuration]) { nodes in
                let settings = await nodes[0].settings()
                let byName = Dictionary(uniqueKeysWithValues: settings.map { ($0.name, $0) })
                #expect(byName["max-peers"]?.source == "flag")
                #expect(byName["max-peers"]?.value == .int(32))
                #expect(byName["chain-id"]?.source == "default")
                #expect(byName["tick"]?.source == "unknown")  // changed, and nobody said by what
            }
        }
    }
}
