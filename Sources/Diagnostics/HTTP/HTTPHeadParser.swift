/// The request line and header section of one request (RFC 9112 §3, §5), validated.
enum HTTPHeadParser {
    /// Parses the head (without its final empty line). Lines end in LF, optionally after CR.
    static func parse(_ head: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = head.startIndex
        for index in head.indices where head[index] == 0x0A {
            lines.append(head[lineStart..<index])
            lineStart = index + 1
        }
        lines.append(head[lineStart..<head.endIndex])
        for index in lines.indices {
            if lines[index].last == 0x0D { lines[index] = lines[index].dropLast() }
            // A bare CR inside a line is invalid (RFC 9112 §2.2).
            if lines[index].contains(0x0D) { throw .malformed("bare CR in the request head") }
        }
        var request = try requestLine(lines[0])
        for line in lines.dropFirst() {
            request.headers.append(try field(line))
        }
        try checkHost(&request)
        try checkExpectation(&request)
        return request
    }

    /// `method SP request-target SP HTTP-version`, single spaces (§3).
    static func requestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("request line must be 'METHOD TARGET VERSION'") }
        guard !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte) else { throw .malformed("invalid method") }
        let method = String(decoding: parts[0], as: UTF8.self)
        let version = try self.version(parts[2])
        guard !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformed("invalid request target")
        }
        let target = String(decoding: parts[1], as: UTF8.self)
        var request = HTTPRequest(method: method, path: "", query: nil, version: version, headers: [], body: [])
        try HTTPTarget.resolve(target, method: method, into: &request)
        return request
    }

    /// `HTTP/1.1` or `HTTP/1.0`; a higher 1.x is handled as 1.1 (RFC 9110 §6.2); another
    /// major version is 505.
    static func version(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let digits = Array(bytes.dropFirst(5))
        guard bytes.count == 8, text.hasPrefix("HTTP/"), digits[1] == UInt8(ascii: "."),
            isDigit(digits[0]), isDigit(digits[2])
        else { throw .malformed("invalid HTTP version") }
        guard digits[0] == UInt8(ascii: "1") else { throw .unsupportedVersion(text) }
        return digits[2] == UInt8(ascii: "0") ? "HTTP/1.0" : "HTTP/1.1"
    }

    /// `name: OWS value OWS`; no space before the colon, no obsolete line folding (§5).
    static func field(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        if let first = line.first, first == 0x20 || first == 0x09 {
            throw .malformed("obsolete line folding (a header line starting with whitespace)")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon != line.startIndex else {
            throw .malformed("header line without a name")
        }
        let name = line[..<colon]
        guard name.allSatisfy(isTokenByte) else { throw .malformed("invalid header name") }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        // field-vchar, SP, HTAB, obs-text; no other control character.
        guard value.allSatisfy({ $0 >= 0x20 ? $0 != 0x7F : $0 == 0x09 }) else {
            throw .malformed("control character in header value")
        }
        let text = String(String.UnicodeScalarView(value.map { Unicode.Scalar($0) }))  // ISO-8859-1
        return (String(decoding: name, as: UTF8.self).lowercased(), text)
    }

    /// HTTP/1.1 needs exactly one Host; HTTP/1.0 at most one (RFC 9112 §3.2).
    static func checkHost(_ request: inout HTTPRequest) throws(HTTPParseError) {
        let hosts = request.headers.filter { $0.0 == "host" }
        if hosts.count > 1 { throw .malformed("more than one Host header") }
        if request.version == "HTTP/1.1" && hosts.isEmpty { throw .malformed("HTTP/1.1 request without Host") }
        if let host = hosts.first?.1,
            host.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "@") }
            )
        {
            throw .malformed("invalid Host")
        }
    }

    /// `Expect: 100-continue` is honoured (HTTP/1.1 only, §10.1.1); any other expectation is 417.
    static func checkExpectation(_ request: inout HTTPRequest) throws(HTTPParseError) {
        let expectations = request.headers.filter { $0.0 == "expect" }.flatMap { HTTPRequest.tokens($0.1) }
        for expectation in expectations {
            guard expectation == "100-continue" else { throw .expectationFailed(expectation) }
            if request.version == "HTTP/1.1" { request.expectsContinue = true }
        }
    }

    /// How the body is delimited (RFC 9112 §6.3).
    static func framing(of request: HTTPRequest, maximumBodyBytes: Int) throws(HTTPParseError)
        -> HTTPRequestParser.Framing
    {
        let codings = request.headers.filter { $0.0 == "transfer-encoding" }.flatMap { HTTPRequest.tokens($0.1) }
        let lengths = request.headers.filter { $0.0 == "content-length" }
        if request.headers.contains(where: { $0.0 == "transfer-encoding" }) {
            if request.version == "HTTP/1.0" { throw .malformed("Transfer-Encoding in an HTTP/1.0 request") }
            if !lengths.isEmpty { throw .malformed("both Content-Length and Transfer-Encoding") }
            guard codings.last == "chunked" else { throw .malformed("chunked is not the final transfer coding") }
            // RFC 9112 §7: chunked is applied once; twice is a broken message, not an unknown coding.
            if codings.dropLast().contains("chunked") { throw .malformed("chunked applied more than once") }
            if let other = codings.dropLast().first { throw .unsupportedTransferCoding(other) }
            return .chunked
        }
        // A list of identical values is one value (RFC 9110 §8.6).
        let values = lengths.flatMap { $0.1.split(separator: ",") }.map { $0.trimmingSpaces() }
        guard let first = values.first else { return .length(0) }
        guard values.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.allSatisfy(isDigit) else {
            throw .malformed("invalid Content-Length")
        }
        // Compared digit by digit: a 40-digit length must not overflow, it must be 413.
        let digits = first.drop { $0 == "0" }
        guard digits.count <= 18, let length = Int(digits.isEmpty ? "0" : String(digits)), length <= maximumBodyBytes
        else { throw .bodyTooLarge(limit: maximumBodyBytes) }
        return .length(length)
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(
                ascii: "0")...UInt8(
                ascii: "9"):
            return true
        default: return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}

extension Substring {
    func trimmingSpaces() -> String {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
