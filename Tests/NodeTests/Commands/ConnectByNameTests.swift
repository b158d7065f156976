import Foundation
import TestSupport
import Testing

@testable import Diagnostics
@testable import Node
@testable import Wire

/// `meshnode connect HOST:PORT` with a host name: the CLI resolves it (the node's route takes
/// numbers) and sends the address; a name that does not resolve fails before any request.
@Suite struct ConnectByNameTests {
    @Test func connectLocalhost_sendsItsIPv4Address() async throws {
        let (request, status, output, _) = try await ControlCommandTests.exchange(
            ["connect", "localhost:7071"],
            response: ControlCommandTests.json(200, #"{"peer_addr":"127.0.0.1:7071","connected":true}"#))
        let sent = try #require(request)
        #expect(try JSONValue.parse(sent.body)["peer_addr"]?.stringValue == "127.0.0.1:7071")
        #expect(status == 0 && output == ["connected to 127.0.0.1:7071"])
    }

    @Test func unresolvableName_failsWithTheReason_beforeSendingAnything() throws {
        let command = try ControlCommandTests.parse(["connect", "nowhere.invalid:7071", "--cookie-file", "/dev/null"])
        var errors: [String] = []
        let status = command.run(
            output: { _ in }, errors: { errors.append($0) },
            resolve: { .failure(Posix.ResolveError(host: $0, reason: "Name or service not known")) })
        #expect(status == 1)
        #expect(errors == ["meshnode connect: nowhere.invalid does not resolve: Name or service not known"])
    }
}
