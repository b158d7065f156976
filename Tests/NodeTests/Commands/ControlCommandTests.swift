import Foundation
import TestSupport
import Testing

@testable import Actors
@testable import Diagnostics
@testable import Node
@testable import Wire

/// `meshnode connect|disconnect|ban|unban|bans` against a fake endpoint: what goes on the
/// wire (the routes of INTERFACE.md, with the cookie as bitcoind's RPC takes it) and what the
/// operator is told.
@Suite struct ControlCommandTests {
    static func parse(_ arguments: [String], environment: [String: String] = [:]) throws -> ControlCommand {
        guard case .control(let command) = try Command.parse(arguments, environment: { environment[$0] }) else {
            throw Command.UsageError(description: "not a control command")
        }
        return command
    }

    /// Runs `arguments` against a fake server answering `response`; returns the request it
    /// read, the exit status and the printed lines.
    static func exchange(
        _ arguments: [String], response: String, cookie: String = "c0ffee\n"
    ) async throws -> (request: ParsedRequest?, status: Int32, output: [String], errors: [String]) {
        try await ExclusiveIO.shared.run {
            let cookiePath = NSTemporaryDirectory() + "meshnode-cookie-\(UInt32.random(in: 0...UInt32.max))"
            defer { try? FileManager.default.removeItem(atPath: cookiePath) }
            try Data(cookie.utf8).write(to: URL(fileURLWithPath: cookiePath))
            let server = try FakeHTTPServer(host: "127.0.61.1", behaviour: .answer(Array(response.utf8), close: true))
            let command = try parse(
                arguments + ["--debug-url", "http://127.0.61.1:\(server.port)", "--cookie-file", cookiePath])
            var output: [String] = []
            var errors: [String] = []
            let status = command.run(output: { output.append($0) }, errors: { errors.append($0) })
            return (ParsedRequest(server.request()), status, output, errors)
        }
    }

    static func json(_ status: Int, _ body: String) -> String {
        "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func connect_postsThePeerWithCookieHostAndJSONType() async throws {
        let (request, status, output, _) = try await Self.exchange(
            ["connect", "10.0.0.7:7071", "--persist"],
            response: Self.json(200, #"{"peer_addr":"10.0.0.7:7071","connected":true,"reason":null}"#))
        let sent = try #require(request)
        #expect(sent.method == "POST" && sent.target == "/api/p2p/connect" && sent.version == "HTTP/1.1")
        #expect(sent.headers["host"]?.hasPrefix("127.0.61.1:") == true && sent.headerCounts["host"] == 1)
        #expect(sent.headers["authorization"] == "Bearer c0ffee")
        #expect(sent.headers["content-type"] == "application/json")
        #expect(sent.headers["content-length"] == String(sent.body.count))
        let body = try JSONValue.parse(sent.body)
        #expect(body["peer_addr"]?.stringValue == "10.0.0.7:7071" && body["persist"]?.boolValue == true)
        #expect(status == 0)
        #expect(output == ["connected to 10.0.0.7:7071; kept as a direct peer"])
    }

    @Test func connect_withoutPersist_sendsPersistFalse_andAFailedDialExitsOne() async throws {
        let (request, status, output, _) = try await Self.exchange(
            ["connect", "10.0.0.8:7071"],
            response: Self.json(
                200, #"{"peer_addr":"10.0.0.8:7071","connected":false,"reason":"connection_refused","detail":"x"}"#))
        #expect(try JSONValue.parse(try #require(request).body)["persist"]?.boolValue == false)
        #expect(status == 1)
        #expect(output == ["could not connect to 10.0.0.8:7071: connection_refused (x)"])
    }

    @Test func disconnectBanUnban_postTheirRoutesAndBodies_andSayWhatHappened() async throws {
        let cases: [([String], String, JSONValue, String, String)] = [
            (
                ["disconnect", "10.0.0.9"], "/api/p2p/disconnect", .object([("ip", .string("10.0.0.9"))]),
                #"{"ip":"10.0.0.9","disconnected":true}"#, "disconnected 10.0.0.9"
            ),
            (
                ["ban", "10.0.0.9", "--seconds", "600"], "/api/p2p/ban",
                .object([("ip", .string("10.0.0.9")), ("seconds", .int(600))]),
                #"{"ip":"10.0.0.9","banned_until_unix":1800000000,"disconnected":true}"#,
                "banned 10.0.0.9 for 600 s, until 2027-01-15T08:00:00.000Z; its session was closed"
            ),
            (
                ["ban", "10.0.0.9"], "/api/p2p/ban", .object([("ip", .string("10.0.0.9")), ("seconds", .int(86_400))]),
                #"{"ip":"10.0.0.9","banned_until_unix":1800000000,"disconnected":false,"note":"new"}"#,
                "banned 10.0.0.9 for 86400 s, until 2027-01-15T08:00:00.000Z note=new"
            ),
            (
                ["unban", "2001:db8::1"], "/api/p2p/unban", .object([("ip", .string("2001:db8::1"))]),
                #"{"ip":"2001:db8::1","unbanned":true}"#, "unbanned 2001:db8::1"
            ),
        ]
        for (arguments, path, body, response, printed) in cases {
            let (request, status, output, errors) = try await Self.exchange(
                arguments, response: Self.json(200, response))
            let sent = try #require(request)
            #expect(sent.method == "POST" && sent.target == path, "\(arguments)")
            #expect(try JSONValue.parse(sent.body) == body, "\(arguments)")
            #expect(sent.headers["authorization"] == "Bearer c0ffee")
            #expect(status == 0 && errors.isEmpty, "\(arguments): \(errors)")
            #expect(output == [printed])
        }
    }

    @Test func bans_getsTheListAndPrintsOneLinePerBan() async throws {
        let (request, status, output, _) = try await Self.exchange(
            ["bans"],
            response: Self.json(
                200, #"{"bans":[{"ip":"10.0.0.9","banned_until_unix":1800000000,"reason":"operator_ban"}],"count":1}"#)
        )
        let sent = try #require(request)
        #expect(sent.method == "GET" && sent.target == "/api/p2p/bans" && sent.body.isEmpty)
        #expect(sent.headers["content-type"] == nil)
        #expect(status == 0)
        #expect(output == ["  10.0.0.9 until 2027-01-15T08:00:00.000Z (operator_ban)"])
    }

    @Test func errorStatus_exitsOneWithTheErrorBodysMessage() async throws {
        let (_, status, output, errors) = try await Self.exchange(
            ["ban", "10.0.0.9"], response: Self.json(403, #"{"error":"a valid cookie is required","status":403}"#))
        #expect(status == 1 && output.isEmpty)
        #expect(errors.count == 1 && errors[0].contains("403") && errors[0].contains("a valid cookie is required"))
    }

    @Test func missingCookieFile_failsBeforeSendingAndNamesThePath() throws {
        let command = try Self.parse(["ban", "10.0.0.9", "--data-dir", "/nonexistent/meshnode-x"])
        #expect(command.cookieFile == "/nonexistent/meshnode-x/.cookie")
        var errors: [String] = []
        // Port 1 on 127.0.61.2: nothing there, and nothing must be tried before the cookie is read.
        let status = ControlCommand(
            action: command.action, debugURL: "http://127.0.61.2:1", cookieFile: command.cookieFile
        )
        .run(output: { _ in }, errors: { errors.append($0) })
        #expect(status == 1)
        #expect(errors.count == 1 && errors[0].contains("/nonexistent/meshnode-x/.cookie"), "\(errors)")
        #expect(errors.first?.contains("--cookie-file") == true)
    }

    // INTERFACE.md: ./meshnode_data_<port>, or ./meshnode_data_<ip>_<port> when --listen names an IP.
    @Test func defaults_cookieFromTheDataDirTheNodeWouldUse_urlFromEnvironment() throws {
        let plain = try Self.parse(["unban", "10.0.0.9"])
        #expect(plain.cookieFile == "./meshnode_data_7071/.cookie")
        #expect(NodeConfiguration().resolvedDataDirectory + "/.cookie" == plain.cookieFile)
        #expect(plain.debugURL == "http://127.0.0.1:7070")
        let byListen = try Self.parse(["unban", "10.0.0.9", "--listen", "127.0.0.5:9001"])
        #expect(byListen.cookieFile == "./meshnode_data_127.0.0.5_9001/.cookie")
        var node = NodeConfiguration()
        node.listen = try SocketAddress(parsing: "127.0.0.5:9001")
        #expect(node.resolvedDataDirectory + "/.cookie" == byListen.cookieFile)
        let anyIP = try Self.parse(["unban", "10.0.0.9", "--listen", "0.0.0.0:9001"])
        #expect(anyIP.cookieFile == "./meshnode_data_9001/.cookie")
        let fromEnvironment = try Self.parse(["bans"], environment: ["MESHNODE_DEBUG_URL": "http://127.0.0.3:1"])
        #expect(fromEnvironment.debugURL == "http://127.0.0.3:1")
    }

    @Test func badArguments_areUsageErrors() {
        for arguments in [
            ["connect"], ["connect", "nowhere"], ["connect", "1.2.3.4:0"], ["disconnect", "1.2.3"],
            ["ban", "1.2.3.4", "--seconds", "0"], ["ban", "1.2.3.4", "--seconds", "99999999999999999999"],
            ["ban", "1.2.3.4", "--seconds"], ["unban", "1.2.3.4", "5.6.7.8"], ["bans", "1.2.3.4"],
            ["disconnect", "1.2.3.4", "--persist"], ["bans", "--debug-url", "https://127.0.0.1:7070"],
        ] {
            #expect(throws: Command.UsageError.self, "\(arguments)") { try Self.parse(arguments) }
        }
    }
}
