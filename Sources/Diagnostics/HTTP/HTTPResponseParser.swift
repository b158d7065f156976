/// One HTTP/1.1 response as a client of the debug endpoint reads it (RFC 9112): the CLI's
/// commands, and a node reading its testnet siblings' views of the mesh: status line, header fields,
/// and a body framed by `Transfer-Encoding: chunked`, `Content-Length`, or the end of the
/// connection, in that order of precedence (section 6.3). Interim 1xx responses are skipped.
///
/// Incremental and pure: `feed` the bytes as they arrive; it answers the response once whole.
/// What a server sends is bounded (`maximumHeadBytes`, `maximumBodyBytes`), so a broken or
/// hostile endpoint cannot make the CLI grow without limit.
package struct HTTPResponseParser {
    /// A complete response. Header names are lowercased; values are trimmed.
    package struct Response: Sendable, Equatable {
        /// The status code (100-599).
        package var status: Int
        /// The header fields, in order.
        package var headers: [Header]
        /// The body, de-chunked.
        package var body: [UInt8]

        /// The first value of `name` (case-insensitive), if present.
        package func header(_ name: String) -> String? {
            let lowered = name.lowercased()
            return headers.first { $0.name == lowered }?.value
        }
    }

    /// One header field.
    package struct Header: Sendable, Equatable {
        /// Lowercased.
        package var name: String
        /// Without surrounding spaces.
        package var value: String
    }

    /// Why the bytes are not an acceptable response.
    package struct Failure: Error, Equatable, CustomStringConvertible {
        /// What is wrong, for the person reading it.
        package let description: String
        /// The body is past `maximumBodyBytes` (declared or sent).
        package let isTooLarge: Bool

        init(description: String, isTooLarge: Bool = false) {
            self.description = description
            self.isTooLarge = isTooLarge
        }
    }

    private enum Phase {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    /// The most bytes of status line and header fields taken.
    package let maximumHeadBytes: Int
    /// The most body bytes taken.
    package let maximumBodyBytes: Int
    /// A response to HEAD has no body whatever its headers say.
    package let requestWasHead: Bool
    private var buffer: [UInt8] = []
    private var offset = 0
    private var phase = Phase.head
    private var response = Response(status: 0, headers: [], body: [])
    private var headBytes = 0

    /// A parser for one response, bounded as given.
    package init(maximumHeadBytes: Int = 64 << 10, maximumBodyBytes: Int = 16 << 20, requestWasHead: Bool = false) {
        self.maximumHeadBytes = maximumHeadBytes
        self.maximumBodyBytes = maximumBodyBytes
        self.requestWasHead = requestWasHead
    }

    /// Adds bytes; answers the response once it is complete (extra bytes are ignored).
    package mutating func feed(_ bytes: [UInt8]) throws(Failure) -> Response? {
        if case .done = phase { return response }
        buffer.removeFirst(offset)
        offset = 0
        buffer += bytes
        try advance()
        if case .done = phase { return response }
        return nil
    }

    /// The connection ended: completes a body that runs to the end, or says what is missing.
    package mutating func finish() throws(Failure) -> Response {
        switch phase {
        case .done: return response
        case .untilClose:
            try appendBody(buffer[offset...])
            phase = .done
            return response
        case .head:
            throw Failure(
                description: buffer.isEmpty && headBytes == 0
                    ? "the connection closed without a response" : "the connection closed inside the response head")
        default:
            throw Failure(description: "the connection closed before the end of the body")
        }
    }

    private mutating func advance() throws(Failure) {
        while true {
            switch phase {
            case .head:
                guard let line = try nextLine(limit: maximumHeadBytes - headBytes) else { return }
                try headLine(line)
            case .fixed(let remaining):
                let take = min(remaining, buffer.count - offset)
                try appendBody(buffer[offset..<(offset + take)])
                offset += take
                if take == remaining {
                    phase = .done
                } else {
                    phase = .fixed(remaining: remaining - take)
                    return
                }
            case .chunkSize:
                guard let line = try nextLine(limit: 1024) else { return }
                let size = try chunkSize(line)
                phase = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let take = min(remaining, buffer.count - offset)
                try appendBody(buffer[offset..<(offset + take)])
                offset += take
                guard take == remaining else {
                    phase = .chunkData(remaining: remaining - take)
                    return
                }
                phase = .chunkDataEnd
            case .chunkDataEnd:
                guard let line = try nextLine(limit: 2) else { return }
                guard line.isEmpty else { throw Failure(description: "chunk data longer than its size") }
                phase = .chunkSize
            case .trailers:
                guard let line = try nextLine(limit: maximumHeadBytes) else { return }
                if line.isEmpty { phase = .done }
            case .untilClose:
                try appendBody(buffer[offset...])
                offset = buffer.count
                return
            case .done:
                return
            }
        }
    }

    /// The next line without its terminator (CRLF, or a bare LF as RFC 9112 section 2.2 allows
    /// a recipient to accept), or nil until one is complete.
    private mutating func nextLine(limit: Int) throws(Failure) -> ArraySlice<UInt8>? {
        guard let newline = buffer[offset...].firstIndex(of: 0x0A) else {
            if buffer.count - offset > limit { throw Failure(description: "response line or head too long") }
            return nil
        }
        var end = newline
        if end > offset && buffer[end - 1] == 0x0D { end -= 1 }
        guard newline - offset <= limit else { throw Failure(description: "response line or head too long") }
        let line = buffer[offset..<end]
        if case .head = phase { headBytes += newline + 1 - offset }
        offset = newline + 1
        return line
    }

    private mutating func headLine(_ line: ArraySlice<UInt8>) throws(Failure) {
        if response.status == 0 {
            // status-line = HTTP-version SP status-code SP [ reason-phrase ]
            let text = String(decoding: line, as: UTF8.self)
            let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].utf8.count == 3,
                let status = Int(parts[1]), (100...599).contains(status)
            else { throw Failure(description: "not an HTTP/1.x status line: '\(text.prefix(80))'") }
            response.status = status
            return
        }
        if !line.isEmpty {
            guard line.first != 0x20 && line.first != 0x09 else {
                throw Failure(description: "obsolete folded header line")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw Failure(description: "malformed header line")
            }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
            response.headers.append(Header(name: name, value: value))
            return
        }
        // The end of the head.
        if (100...199).contains(response.status) {
            response = Response(status: 0, headers: [], body: [])  // interim: the real one follows
            return
        }
        phase = try bodyFraming()
        if case .fixed(0) = phase { phase = .done }
    }

    private func bodyFraming() throws(Failure) -> Phase {
        if requestWasHead || response.status == 204 || response.status == 304 { return .done }
        let encodings = response.headers.filter { $0.name == "transfer-encoding" }
        if !encodings.isEmpty {
            let codings = encodings.flatMap { $0.value.split(separator: ",") }.map {
                String($0).trimmingSpaces().lowercased()
            }
            return codings.last == "chunked" ? .chunkSize : .untilClose
        }
        let lengths = response.headers.filter { $0.name == "content-length" }.flatMap {
            $0.value.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        }
        guard let first = lengths.first else { return .untilClose }
        guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.allSatisfy({ (0x30...0x39).contains($0) })
        else { throw Failure(description: "invalid Content-Length '\(first)'") }
        guard first.utf8.count <= 18, let length = Int(first), length <= maximumBodyBytes else {
            throw Failure(description: "response body larger than \(maximumBodyBytes) bytes", isTooLarge: true)
        }
        return .fixed(remaining: length)
    }

    private func chunkSize(_ line: ArraySlice<UInt8>) throws(Failure) -> Int {
        // chunk-size [ chunk-ext ]: hex digits, then optionally ";" and extensions (ignored).
        let digits = line.prefix { byte in
            (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
        }
        let rest = line[digits.endIndex...].drop { $0 == 0x20 || $0 == 0x09 }
        guard !digits.isEmpty, rest.isEmpty || rest.first == UInt8(ascii: ";") else {
            throw Failure(description: "invalid chunk size line")
        }
        guard digits.count <= 15, let size = Int(String(decoding: digits, as: UTF8.self), radix: 16),
            size <= maximumBodyBytes - response.body.count
        else { throw Failure(description: "response body larger than \(maximumBodyBytes) bytes", isTooLarge: true) }
        return size
    }

    private mutating func appendBody(_ bytes: ArraySlice<UInt8>) throws(Failure) {
        guard bytes.count <= maximumBodyBytes - response.body.count else {
            throw Failure(description: "response body larger than \(maximumBodyBytes) bytes", isTooLarge: true)
        }
        response.body += bytes
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
