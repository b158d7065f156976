import Testing

@testable import Diagnostics

/// Responses as RFC 9112 frames them, fed whole and byte by byte, and the bounds that keep a
/// broken endpoint from growing the CLI.
@Suite struct HTTPResponseParserTests {
    /// Feeds `text` one byte at a time, then the end of the stream.
    static func parse(_ text: String, parser: HTTPResponseParser = HTTPResponseParser()) throws
        -> HTTPResponseParser.Response
    {
        var parser = parser
        for byte in Array(text.utf8) {
            if let response = try parser.feed([byte]) { return response }
        }
        return try parser.finish()
    }

    @Test func byteByByte_equalsWhole() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A:  padded \r\n\r\nabc"
        var whole = HTTPResponseParser()
        let answer = try #require(try whole.feed(Array(text.utf8)))
        #expect(try Self.parse(text) == answer)
        #expect(answer.header("x-a") == "padded" && answer.header("Content-Length") == "3")
    }

    @Test func interim100Continue_isSkipped() throws {
        let answer = try Self.parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx")
        #expect(answer.status == 201 && answer.body == [UInt8(ascii: "x")])
    }

    @Test func chunkedWins_overContentLength() throws {
        // RFC 9112 section 6.3: Transfer-Encoding overrides Content-Length.
        let answer = try Self.parse(
            "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        #expect(answer.body == Array("abc".utf8))
    }

    @Test func noBody_forHead204And304() throws {
        #expect(try Self.parse("HTTP/1.1 204 No Content\r\n\r\n").body.isEmpty)
        #expect(try Self.parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").body.isEmpty)
        let head = HTTPResponseParser(requestWasHead: true)
        #expect(try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", parser: head).body.isEmpty)
    }

    @Test func bareLineFeeds_areAccepted() throws {
        #expect(try Self.parse("HTTP/1.1 200 OK\nContent-Length: 2\n\nok").body == Array("ok".utf8))
    }

    @Test func malformedResponses_areRefused() {
        for text in [
            "", "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nab", "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
            "HTTP/1.1 200 OK\r\n folded: header\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        ] {
            #expect(throws: HTTPResponseParser.Failure.self, "\(text.debugDescription)") { try Self.parse(text) }
        }
    }

    @Test func oversizedBodies_andHeads_areRefusedEarly() throws {
        let small = HTTPResponseParser(maximumHeadBytes: 64, maximumBodyBytes: 8)
        for text in [
            "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\naaaaa\r\n4\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
            "HTTP/1.1 200 OK\r\n\r\n123456789",
            "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 100) + "\r\n\r\n",
        ] {
            var parser = small
            #expect(throws: HTTPResponseParser.Failure.self, "\(text.prefix(60).debugDescription)") {
                _ = try parser.feed(Array(text.utf8))
                _ = try parser.finish()
            }
        }
    }
}
