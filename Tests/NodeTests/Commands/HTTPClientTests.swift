import Foundation
import TestSupport
import Testing

@testable import Diagnostics
@testable import Node
@testable import Wire

/// The CLI's HTTP/1.1 client against a raw-socket server: the three ways RFC 9112 (section
/// 6.3) frames a response body, and the failures an operator meets (nothing listening, a
/// server that never answers).
@Suite struct HTTPClientTests {
    /// One GET against a fake server behaving as told; the result, and how long the client
    /// took (measured inside the descriptor lock, which other tests may hold for a while).
    static func get(_ behaviour: FakeHTTPServer.Behaviour, timeout: Duration = .seconds(5)) async throws
        -> (result: Result<HTTPResponseParser.Response, HTTPClient.Failure>, took: Duration)
    {
        try await ExclusiveIO.shared.run {
            let server = try FakeHTTPServer(host: "127.0.61.3", behaviour: behaviour)
            let client = HTTPClient(url: try DebugURL(parsing: "http://127.0.61.3:\(server.port)"), timeout: timeout)
            let started = ContinuousClock.now
            let result = Result { () throws(HTTPClient.Failure) in try client.send(method: "GET", path: "/health") }
            let took = ContinuousClock.now - started
            _ = server.request()
            return (result, took)
        }
    }

    @Test func chunkedBody_isReassembled_extensionsAndTrailersIgnored() async throws {
        let response =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;name=value\r\n{\"st\r\n0B\r\natus\":\"ok\"}\r\n0\r\nX-Trailer: 1\r\n\r\n"
        let answer = try await Self.get(.answer(Array(response.utf8), close: false)).result.get()
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"status":"ok"}"#)
    }

    // The server keeps the connection open: the client must stop at Content-Length, not
    // wait for the close (which would end in its timeout).
    @Test func contentLength_endsTheBody_withoutWaitingForTheClose() async throws {
        let response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        let (result, took) = try await Self.get(.answer(Array(response.utf8), close: false), timeout: .seconds(3))
        #expect(try result.get().body == Array("hello".utf8))
        #expect(took < .seconds(2))
    }

    @Test func noLength_bodyRunsToTheClose() async throws {
        let response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it"
        let answer = try await Self.get(.answer(Array(response.utf8), close: true)).result.get()
        #expect(answer.body == Array("all of it".utf8) && answer.header("content-type") == "text/plain")
    }

    @Test func bodyCutShortByTheClose_isAnError() async throws {
        let response = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly this"
        let result = try await Self.get(.answer(Array(response.utf8), close: true)).result
        guard case .failure(.malformed(_, let why)) = result else {
            Issue.record("expected a broken response, got \(result)")
            return
        }
        #expect(why.contains("before the end of the body"))
    }

    @Test func silentServer_timesOutWithAClearMessage() async throws {
        let (result, took) = try await Self.get(.silent, timeout: .milliseconds(300))
        guard case .failure(let failure) = result, case .timedOut = failure else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
        #expect(took >= .milliseconds(300) && took < .seconds(3))
        #expect(failure.description.contains("did not answer within 0.3 s"))
    }

    @Test func nothingListening_saysTheNodeIsNotRunning() async throws {
        // A port just released: nothing listens there now.
        let port = try await ExclusiveIO.shared.run { () throws -> UInt16 in
            let server = try FakeHTTPServer(host: "127.0.61.4", behaviour: .silent)
            let port = server.port
            let stream = try BlockingStream.connect(
                to: SocketAddress(parsing: "127.0.61.4:\(port)"), deadline: Posix.monotonicNanoseconds() + 2_000_000_000
            )
            _ = consume stream
            _ = server.request()
            return port
        }
        let client = HTTPClient(url: try DebugURL(parsing: "http://127.0.61.4:\(port)"), timeout: .seconds(2))
        #expect {
            try client.send(method: "GET", path: "/health")
        } throws: { error in
            guard case HTTPClient.Failure.unreachable(_, let reason) = error else { return false }
            return reason == .connectionRefused && "\(error)".contains("is the node running")
        }
    }

    @Test func debugURL_acceptsTheFormsOperatorsWrite() throws {
        let cases: [(String, String, UInt16, String)] = [
            ("http://127.0.0.1:7070", "127.0.0.1", 7070, "127.0.0.1:7070"),
            ("http://127.0.0.1:7070/", "127.0.0.1", 7070, "127.0.0.1:7070"),
            ("127.0.0.1:7070", "127.0.0.1", 7070, "127.0.0.1:7070"),
            ("HTTP://localhost:8080", "localhost", 8080, "localhost:8080"),
            ("http://[::1]:7070", "::1", 7070, "[::1]:7070"),
            ("http://example.test", "example.test", 80, "example.test"),
        ]
        for (text, host, port, authority) in cases {
            let url = try DebugURL(parsing: text)
            #expect(url.host == host && url.port == port && url.authority == authority, "\(text)")
        }
        for text in [
            "https://127.0.0.1:7070", "http://127.0.0.1:0", "http://127.0.0.1:70000", "http://user@host:1",
            "http://::1:7070", "http://127.0.0.1:7070/api", "http://", "http://[::1", "http://a b:1",
        ] {
            #expect(throws: DebugURL.Invalid.self, "\(text)") { try DebugURL(parsing: text) }
        }
    }
}
