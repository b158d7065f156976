import Testing

@testable import Diagnostics

@Suite struct HTTPResponseTests {
    // RFC 9110 §5.6.7's example: "Sun, 06 Nov 1994 08:49:37 GMT" (784111777 s after the epoch).
    @Test func date_isIMFFixdate() {
        #expect(HTTPDate.format(unixSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(unixSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(unixSeconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        let now = HTTPDate.now()
        #expect(now.count == 29 && now.hasSuffix(" GMT"), "\(now)")
    }

    // RFC 9110 §9.3.2: HEAD gets the GET's header fields, Content-Length included, no content.
    @Test func headResponse_hasTheGetHeaders_andNoBody() {
        let response = HTTPResponse.json(.object([("status", .string("ok"))]))
        let get = response.serialized(keepAlive: true, date: "D")
        let head = response.serialized(keepAlive: true, includeBody: false, date: "D")
        #expect(get.count == head.count + response.body.count)
        #expect(Array(get.prefix(head.count)) == head)
        #expect(String(decoding: head, as: UTF8.self).contains("Content-Length: \(response.body.count)\r\n"))
    }

    @Test func everyResponse_hasDateAndItsExtraFields() {
        let text = String(
            decoding: HTTPResponse.error(405, "no").adding("Allow", "GET, HEAD").serialized(keepAlive: false),
            as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\nDate: "))
        #expect(text.contains("\r\nAllow: GET, HEAD\r\n"))
        #expect(text.contains("\r\nConnection: close\r\n\r\n"))
    }

    // RFC 9112 §9.3 / RFC 9110 §7.6.1: Connection is a case-insensitive token list.
    @Test func connection_isATokenList() {
        func request(_ version: String, _ values: [String]) -> HTTPRequest {
            HTTPRequest(method: "GET", path: "/", version: version, headers: values.map { ("Connection", $0) })
        }
        #expect(request("HTTP/1.1", []).keepAlive)
        #expect(!request("HTTP/1.1", ["keep-alive, close"]).keepAlive)
        #expect(!request("HTTP/1.1", ["Upgrade", "CLOSE"]).keepAlive)
        #expect(request("HTTP/1.1", ["keep-alive, closed"]).keepAlive)
        #expect(!request("HTTP/1.0", []).keepAlive)
        #expect(request("HTTP/1.0", ["foo, Keep-Alive"]).keepAlive)
        #expect(!request("HTTP/1.0", ["keep-alive, close"]).keepAlive)
    }
}
