import Foundation
import TestSupport
import Testing

@testable import Node

/// `meshnode why IP` and the node's answers other than a peer's decisions: each is one line
/// on stderr and exit status 1, with nothing on stdout.
@Suite(.serialized) struct WhyCommandAnswerTests {
    static func exchange(_ ip: String, status: Int, body: String) async throws -> (
        request: String, status: Int32, output: [String], errors: [String]
    ) {
        try await ExclusiveIO.shared.run {
            let response =
                "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                + body
            let server = try FakeHTTPServer(host: "127.0.61.1", behaviour: .answer(Array(response.utf8), close: true))
            var output: [String] = []
            var errors: [String] = []
            let code = WhyCommand.run(
                ip: ip, url: "http://127.0.61.1:\(server.port)", output: { output.append($0) },
                errors: { errors.append($0) })
            return (String(decoding: server.request(), as: UTF8.self), code, output, errors)
        }
    }

    @Test func decisions_areAskedForByIP_andPrinted() async throws {
        let body = #"{"ip":"2001:db8::1","connected":false,"decisions":[]}"#
        let (request, status, output, errors) = try await Self.exchange("2001:db8::1", status: 200, body: body)
        #expect(request.hasPrefix("GET /api/p2p/why/2001:db8::1 HTTP/1.1\r\n"), "\(request)")
        #expect(status == 0 && errors.isEmpty)
        #expect(output.first == "2001:db8::1 (not in the peer book)", "\(output)")
    }

    @Test func unknownPeer_404_isOneLineAndStatusOne() async throws {
        let (_, status, output, errors) = try await Self.exchange(
            "10.0.0.7", status: 404, body: #"{"error":"nothing is known about 10.0.0.7","status":404}"#)
        #expect(status == 1 && output.isEmpty)
        #expect(
            errors == [
                "meshnode why: the node knows nothing of 10.0.0.7: no decision about it and not in its peer book"
            ])
    }

    @Test func refusedAddress_400_isOneLineAndStatusOne() async throws {
        let (_, status, output, errors) = try await Self.exchange(
            "10.0.0.7", status: 400, body: #"{"error":"expected /api/p2p/why/IP","status":400}"#)
        #expect(status == 1 && output.isEmpty)
        #expect(errors.count == 1 && errors[0].contains("'10.0.0.7' is not a numeric IPv4 or IPv6 address"))
    }

    @Test func olderNodeWithoutTheRoute_isNotMistakenForAnUnknownPeer() async throws {
        let (_, status, output, errors) = try await Self.exchange(
            "10.0.0.7", status: 404, body: #"{"error":"no route /api/p2p/why/10.0.0.7; try /","status":404}"#)
        #expect(status == 1 && output.isEmpty)
        #expect(errors == ["meshnode why: the node has no /api/p2p/why route (an older meshnode): upgrade it"])
    }

    @Test func otherStatus_saysWhatTheNodeAnswered() async throws {
        let (_, status, output, errors) = try await Self.exchange(
            "10.0.0.7", status: 405, body: #"{"error":"method not allowed","status":405}"#)
        #expect(status == 1 && output.isEmpty)
        #expect(errors == ["meshnode why: the node answered 405: method not allowed"])
    }

    @Test func answerThatIsNotAnObject_isOneLineAndStatusOne() async throws {
        let (_, status, output, errors) = try await Self.exchange("10.0.0.7", status: 200, body: "[1,2]")
        #expect(status == 1 && output.isEmpty && errors.count == 1, "\(errors)")
    }
}
