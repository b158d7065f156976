import Testing

@testable import Diagnostics

@Suite struct HTTPRequestParserTests {
    func parse(_ text: String, header: Int = 16 << 10, body: Int = 64 << 10) throws -> [HTTPRequest] {
        var parser = HTTPRequestParser(maximumHeaderBytes: header, maximumBodyBytes: body)
        parser.append(Array(text.utf8))
        var requests: [HTTPRequest] = []
        while let request = try parser.next() { requests.append(request) }
        return requests
    }

    @Test func pipelinedRequests_withBodies() throws {
        let requests = try parse(
            "GET /health HTTP/1.1\r\nHost: x\r\n\r\nPOST /api/p2p/connect?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
        #expect(requests.map(\.path) == ["/health", "/api/p2p/connect"])
        #expect(requests[1].query == "x=1")
        #expect(requests[1].body == Array("{}".utf8))
        #expect(requests[0].header("HOST") == "x")
        #expect(requests[0].keepAlive)
    }

    @Test func bytesOneAtATime_giveTheSameRequest() throws {
        let text = "GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        var parser = HTTPRequestParser()
        var found: [HTTPRequest] = []
        for byte in text.utf8 {
            parser.append([byte])
            if let request = try parser.next() { found.append(request) }
        }
        #expect(found.count == 1)
        #expect(found[0].keepAlive)
        #expect(found[0].version == "HTTP/1.0")
    }

    @Test func malformedInput_isNamed() {
        for text in [
            "garbage\r\n\r\n", "GET nopath HTTP/1.1\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "get / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "\u{FF}\r\n\r\n",
        ] {
            #expect(throws: HTTPParseError.self, "\(text.debugDescription)") { try parse(text) }
        }
    }

    @Test func oversizedHeaderAndBody_are413() {
        #expect(throws: HTTPParseError.headerTooLarge(limit: 64)) {
            try parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100), header: 64)
        }
        #expect(throws: HTTPParseError.bodyTooLarge(limit: 10)) {
            try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", body: 10)
        }
        #expect(HTTPParseError.headerTooLarge(limit: 1).status == 413)
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
