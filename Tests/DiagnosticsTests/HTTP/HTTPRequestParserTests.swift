import Testing

@testable import Diagnostics

/// The request grammar of RFC 9112, each case from the RFC's own rule or example.
@Suite struct HTTPRequestParserTests {
    func parse(_ text: String, header: Int = 16 << 10, body: Int = 64 << 10) throws(HTTPParseError) -> [HTTPRequest] {
        var parser = HTTPRequestParser(maximumHeaderBytes: header, maximumBodyBytes: body)
        parser.append(Array(text.utf8))
        var requests: [HTTPRequest] = []
        while let request = try parser.next() { requests.append(request) }
        return requests
    }

    func error(_ text: String, header: Int = 16 << 10, body: Int = 64 << 10) -> HTTPParseError? {
        do {
            _ = try parse(text, header: header, body: body)
            return nil
        } catch {
            return error
        }
    }

    @Test func pipelinedRequests_withBodies() throws {
        let requests = try parse(
            "GET /health HTTP/1.1\r\nHost: x\r\n\r\nPOST /api/p2p/connect?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
        )
        #expect(requests.map(\.path) == ["/health", "/api/p2p/connect"])
        #expect(requests[1].query == "x=1")
        #expect(requests[1].body == Array("{}".utf8))
        #expect(requests[0].header("HOST") == "x")
        #expect(requests[0].keepAlive)
    }

    @Test func bytesOneAtATime_giveTheSameRequest() throws {
        let text = "POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        var parser = HTTPRequestParser()
        var found: [HTTPRequest] = []
        for byte in text.utf8 {
            parser.append([byte])
            if let request = try parser.next() { found.append(request) }
        }
        #expect(found.count == 1)
        #expect(found.first?.body == Array("abc".utf8))
        #expect(!parser.hasPartialRequest)
    }

    @Test func malformedInput_isNamed() {
        for text in [
            "garbage\r\n\r\n", "GET nopath HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "\u{FF}\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
            "GET / http/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.10\r\nHost: x\r\n\r\n",
        ] {
            #expect(error(text)?.status == 400, "\(text.debugDescription)")
        }
    }

    // RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line terminator".
    @Test func bareLF_endsLinesAndTheHead() throws {
        let requests = try parse(
            "GET /health HTTP/1.1\nHost: x\nConnection: close\n\nGET /metrics HTTP/1.1\nHost: x\n\n")
        #expect(requests.map(\.path) == ["/health", "/metrics"])
        #expect(requests[0].keepAlive == false)
        // Mixed: CRLF lines, LF blank line.
        #expect(try parse("GET / HTTP/1.1\r\nHost: x\r\n\n").count == 1)
    }

    // RFC 9112 §2.2: a bare CR outside the line ending is invalid.
    @Test func bareCR_is400() {
        #expect(error("GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n")?.status == 400)
    }

    // RFC 9112 §2.2: empty lines before the request line are ignored.
    @Test func emptyLinesBeforeTheRequestLine_areIgnored() throws {
        #expect(try parse("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").count == 1)
    }

    // RFC 9112 §3.2: "A server MUST respond with a 400 … to any HTTP/1.1 request message that
    // lacks a Host header field and to any request message that contains more than one".
    @Test func host_isRequiredOnceInHTTP11_andAtMostOnceInHTTP10() throws {
        #expect(error("GET / HTTP/1.1\r\n\r\n")?.status == 400)
        #expect(error("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n")?.status == 400)
        #expect(error("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n")?.status == 400)
        #expect(try parse("GET / HTTP/1.0\r\n\r\n").count == 1)
        #expect(error("GET / HTTP/1.1\r\nHost: a b\r\n\r\n")?.status == 400)
    }

    // RFC 9112 §3.2.2: "a server MUST accept the absolute-form in requests"; its authority
    // replaces Host.
    @Test func absoluteForm_isAccepted_withItsAuthority() throws {
        let request = try #require(
            try parse("GET http://127.0.0.1:7070/api/p2p/debug?x=1 HTTP/1.1\r\nHost: other\r\n\r\n").first)
        #expect(request.path == "/api/p2p/debug")
        #expect(request.query == "x=1")
        #expect(request.authority == "127.0.0.1:7070")
        #expect(request.requestedAuthority == "127.0.0.1:7070")
        #expect(try parse("GET HTTP://localhost HTTP/1.1\r\nHost: localhost\r\n\r\n").first?.path == "/")
        #expect(error("GET http://user@host/ HTTP/1.1\r\nHost: x\r\n\r\n")?.status == 400)
        #expect(error("GET ftp://host/ HTTP/1.1\r\nHost: x\r\n\r\n")?.status == 400)
    }

    // RFC 9112 §7.1.3's decoding, on the example of §7.1 (with an extension and a trailer).
    @Test func chunkedBody_isDecoded_extensionsAndTrailersIgnored() throws {
        let text =
            "POST /api/p2p/connect HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;name=value\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n"
            + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n"
        let requests = try parse(text)
        #expect(requests.first.map { String(decoding: $0.body, as: UTF8.self) } == "Wikipedia in\r\n\r\nchunks.")
        #expect(requests.last?.path == "/next")
    }

    @Test func chunkedBody_overTheBudget_is413_beforeItsBytesArrive() {
        // The declared size alone exceeds the budget: refused at the size line.
        #expect(
            error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n", body: 100)
                == .bodyTooLarge(limit: 100))
        #expect(
            error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n", body: 63)
                == .bodyTooLarge(limit: 63))
        #expect(error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")?.status == 400)
    }

    // RFC 9112 §6.1 and §6.3: Content-Length with Transfer-Encoding is a smuggling vector
    // (rejected here); chunked must be the final coding (400); an unknown coding is 501.
    @Test func transferEncoding_framingRules() {
        #expect(
            error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")?.status
                == 400)
        #expect(error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")?.status == 400)
        #expect(error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")?.status == 501)
        // Chunked twice is a broken message (RFC 9112 §7), not a coding we lack.
        #expect(error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")?.status == 400)
        #expect(error("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")?.status == 400)
    }

    // RFC 9110 §8.6: identical Content-Length values may be read as one; different ones not.
    @Test func contentLength_listsAndOverflow() throws {
        #expect(try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\n{}").first?.body.count == 2)
        #expect(error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n")?.status == 400)
        #expect(error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n")?.status == 400)
        #expect(
            error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n")
                == .bodyTooLarge(limit: 64 << 10))
    }

    // RFC 9112 §5.1: no whitespace between name and colon; §5.2: obs-fold may be rejected.
    @Test func fieldSyntax_isStrict() {
        #expect(error("GET / HTTP/1.1\r\nHost : x\r\n\r\n")?.status == 400)
        #expect(error("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n  b\r\n\r\n")?.status == 400)
        #expect(error("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{01}b\r\n\r\n")?.status == 400)
    }

    // RFC 9110 §6.2 / RFC 9112 §2.3: another major version is 505; a higher 1.x minor is 1.1.
    @Test func versions() throws {
        #expect(error("GET / HTTP/2.0\r\nHost: x\r\n\r\n")?.status == 505)
        #expect(error("GET / HTTP/0.9\r\nHost: x\r\n\r\n")?.status == 505)
        #expect(try parse("GET / HTTP/1.2\r\nHost: x\r\n\r\n").first?.version == "HTTP/1.1")
    }

    // RFC 9110 §10.1.1: 100-continue is honoured in HTTP/1.1 (ignored in 1.0); any other
    // expectation is 417.
    @Test func expect_100ContinueIsAwaited_otherExpectationsAre417() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(try parser.next() == nil)
        #expect(parser.awaitsContinue)
        parser.continueSent()
        #expect(!parser.awaitsContinue)
        parser.append(Array("{}".utf8))
        #expect(try parser.next()?.body == Array("{}".utf8))
        #expect(error("GET / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n")?.status == 417)
        var old = HTTPRequestParser()
        old.append(Array("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(try old.next() == nil)
        #expect(!old.awaitsContinue)
    }

    @Test func oversizedHeader_is431_andOversizedBody413() {
        #expect(
            error("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100), header: 64)
                == .headerTooLarge(limit: 64))
        #expect(
            error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", body: 10) == .bodyTooLarge(limit: 10))
        #expect(error(String(repeating: "\r\n", count: 100), header: 64) == .headerTooLarge(limit: 64))
        #expect(HTTPParseError.headerTooLarge(limit: 1).status == 431)
        #expect(HTTPParseError.bodyTooLarge(limit: 1).status == 413)
    }

    @Test func afterAnError_theParserStaysFailed() {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        parser.append(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
    }

    @Test func randomBytes_neverCrash() {
        var state: UInt64 = 99
        for _ in 0..<2000 {
            var parser = HTTPRequestParser(maximumHeaderBytes: 256, maximumBodyBytes: 256)
            var bytes: [UInt8] = []
            for _ in 0..<Int(state % 200) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 33))
            }
            parser.append(bytes)
            _ = try? parser.next()
        }
    }
}
