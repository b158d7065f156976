import Testing

@testable import Diagnostics
@testable import Wire

/// `POST /api/p2p/connect` with a host name (seed 003's examples use names): the route looks
/// it up off the reactor and dials its address; a name that does not resolve is refused as
/// `invalid_address` with the resolver's reason and the forms the route takes.
@Suite struct ConnectRouteHostNameTests {
    /// Records what the node was asked to dial.
    final class RecordingControl: DebugControl, Sendable {
        let dialed = LockedValue<[String]>([])
        func connect(_ address: String, persist: Bool) async -> Result<Void, ConnectRefusal> {
            dialed.withLock { $0.append(address) }
            return .success(())
        }
        func disconnect(ip: String) async -> Result<Void, ControlError> { .success(()) }
        func ban(ip: String, seconds: Int) async -> Result<BanEntry, ControlError> {
            .success(BanEntry(ip: ip, bannedUntilUnix: 0, reason: nil))
        }
        func unban(ip: String) async -> Result<Void, ControlError> { .success(()) }
        func bans() async -> [BanEntry] { [] }
        func settings() async -> [ConfigSetting] { [] }
    }

    static func connect(_ peer: String, _ control: RecordingControl) async throws -> (Int, JSONValue) {
        let routes = DebugRoutes(
            source: StandInSource(), control: control, access: DebugAccess(cookie: Array("k".utf8)))
        var request = HTTPRequest(
            method: "POST", path: "/api/p2p/connect",
            headers: [
                ("Host", "127.0.0.1:7070"), ("Content-Type", "application/json"), ("Authorization", "Bearer k"),
            ],
            body: Array(#"{"peer_addr":"\#(peer)"}"#.utf8))
        request.localAddress = SocketAddress(ip: .v4(0x7F00_0001), port: 7070)
        let response = await routes.handle(request)
        return (response.status, try JSONValue.parse(response.body))
    }

    @Test func localhost_isResolved_andItsAddressDialed() async throws {
        let control = RecordingControl()
        let (status, answer) = try await Self.connect("localhost:7071", control)
        #expect(status == 200)
        #expect(control.dialed.value == ["127.0.0.1:7071"], "IPv4 first")
        #expect(answer["peer_addr"]?.stringValue == "localhost:7071")
        #expect(answer["resolved_addr"]?.stringValue == "127.0.0.1:7071")
        #expect(answer["connected"]?.boolValue == true)
    }

    @Test func numericAddress_isDialedAsGiven_withoutALookup() async throws {
        let control = RecordingControl()
        let (status, answer) = try await Self.connect("203.0.113.10:7071", control)
        #expect(status == 200 && control.dialed.value == ["203.0.113.10:7071"])
        #expect(answer["resolved_addr"] == nil)
    }

    @Test func nameThatDoesNotResolve_isInvalidAddress_namingTheForms_andNothingIsDialed() async throws {
        let control = RecordingControl()
        let (status, answer) = try await Self.connect("no-such-host.invalid:7071", control)
        #expect(status == 200)
        #expect(control.dialed.value.isEmpty)
        #expect(answer["connected"]?.boolValue == false)
        #expect(answer["reason"]?.stringValue == "invalid_address")
        let detail = answer["detail"]?.stringValue ?? ""
        #expect(detail.contains("no-such-host.invalid") && detail.contains("HOST:PORT"), "\(detail)")
    }

    @Test func textThatIsNoName_reachesTheNodeUnresolved() async throws {
        // Not a name (a space, a NUL, no port): no lookup; the node refuses it as before.
        let control = RecordingControl()
        for text in ["bad host:7071", "localhost", "localhost:0", "-x:7071", "a\\u0000b:7071"] {
            _ = try await Self.connect(text, control)
        }
        #expect(control.dialed.value.count == 5, "\(control.dialed.value)")
        #expect(!control.dialed.value.contains("127.0.0.1:7071"))
    }
}
