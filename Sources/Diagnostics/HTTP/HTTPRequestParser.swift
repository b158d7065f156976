/// An incremental HTTP/1.1 request parser (RFC 9112): feed bytes, take requests. Pure and
/// bounded: it never holds more than the header limit plus the body limit plus what was fed
/// since the last request, whatever it is fed, and its work per byte is constant (a request
/// fed one byte at a time is scanned once, not once per byte).
///
/// Lines end in CRLF or a bare LF (RFC 9112 §2.2 allows a recipient to accept LF); a bare CR
/// is an error. Bodies are framed by Content-Length or the chunked coding (§7.1).
public struct HTTPRequestParser: Sendable {
    public let maximumHeaderBytes: Int
    public let maximumBodyBytes: Int
    var buffer: [UInt8] = []
    /// Where the search for the end of the head resumes.
    var headScan = 0
    /// The head of the request whose body is being read.
    var pending: HTTPRequest?
    var framing = Framing.length(0)
    var chunked = ChunkedBodyDecoder(maximumBodyBytes: 0, maximumTrailerBytes: 0)
    var continueAnswered = false
    var failed: HTTPParseError?

    enum Framing: Sendable {
        case length(Int)
        case chunked
    }

    public init(maximumHeaderBytes: Int = 16 << 10, maximumBodyBytes: Int = 64 << 10) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// True while part of a request is buffered.
    public var hasPartialRequest: Bool { pending != nil || !buffer.isEmpty }

    /// True when a request asked for `100 Continue` (RFC 9110 §10.1.1) and its body has not
    /// arrived whole yet: the server sends the interim response, then calls
    /// ``continueSent()``.
    public var awaitsContinue: Bool {
        guard let pending, pending.expectsContinue, !continueAnswered else { return false }
        return true
    }

    /// The interim `100 Continue` was sent.
    public mutating func continueSent() {
        continueAnswered = true
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: [UInt8]) {
        guard failed == nil else { return }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole request, nil if more bytes are needed. After an error every call
    /// throws the same error.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        if let failed { throw failed }
        do {
            return try step()
        } catch {
            failed = error
            buffer = []
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> HTTPRequest? {
        if pending == nil {
            guard let (head, bodyStart) = try takeHead() else { return nil }
            framing = try HTTPHeadParser.framing(of: head, maximumBodyBytes: maximumBodyBytes)
            buffer.removeFirst(bodyStart)
            headScan = 0
            pending = head
            continueAnswered = false
            if case .chunked = framing {
                chunked = ChunkedBodyDecoder(
                    maximumBodyBytes: maximumBodyBytes, maximumTrailerBytes: maximumHeaderBytes)
            }
        }
        guard var request = pending else { return nil }
        switch framing {
        case .length(let length):
            guard buffer.count >= length else { return nil }
            request.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        case .chunked:
            let consumed = try chunked.feed(buffer)
            buffer.removeFirst(consumed)
            guard chunked.isComplete else { return nil }
            request.body = chunked.body
            chunked = ChunkedBodyDecoder(maximumBodyBytes: 0, maximumTrailerBytes: 0)
        }
        pending = nil
        return request
    }

    /// The head, once its blank line has arrived, and where its body starts.
    private mutating func takeHead() throws(HTTPParseError) -> (HTTPRequest, Int)? {
        // Empty lines before a request line are ignored (RFC 9112 §2.2), within the budget.
        var start = 0
        while start < buffer.count && (buffer[start] == 0x0A || buffer[start] == 0x0D) {
            start += 1
            if start > maximumHeaderBytes { throw .headerTooLarge(limit: maximumHeaderBytes) }
        }
        if start > 0 {
            buffer.removeFirst(start)
            headScan = 0
        }
        // The head ends at an empty line: LF followed by LF or CRLF.
        var index = max(headScan, 0)
        let limit = min(buffer.count, maximumHeaderBytes + 2)
        while index < limit {
            if buffer[index] == 0x0A {
                let next = index + 1
                if next < buffer.count && buffer[next] == 0x0A {
                    return (try HTTPHeadParser.parse(buffer[0..<index]), next + 1)
                }
                if next + 1 < buffer.count && buffer[next] == 0x0D && buffer[next + 1] == 0x0A {
                    return (try HTTPHeadParser.parse(buffer[0..<index]), next + 2)
                }
                if next >= buffer.count || (buffer[next] == 0x0D && next + 1 >= buffer.count) {
                    headScan = index  // the blank line may be arriving: look here again
                    return nil
                }
            }
            index += 1
        }
        headScan = index
        if buffer.count > maximumHeaderBytes { throw .headerTooLarge(limit: maximumHeaderBytes) }
        return nil
    }
}
