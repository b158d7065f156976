/// Why bytes are not an acceptable HTTP request; each maps to a status code.
public enum HTTPParseError: Error, Sendable, Equatable {
    case malformed(String)
    case headerTooLarge(limit: Int)
    case bodyTooLarge(limit: Int)

    public var status: Int {
        switch self {
        case .malformed: return 400
        case .headerTooLarge, .bodyTooLarge: return 413
        }
    }

    public var message: String {
        switch self {
        case .malformed(let reason): return "bad request: \(reason)"
        case .headerTooLarge(let limit): return "request header larger than \(limit) bytes"
        case .bodyTooLarge(let limit): return "request body larger than \(limit) bytes"
        }
    }
}

/// An incremental HTTP/1.1 request parser: feed bytes, take requests. Pure and bounded: it
/// never holds more than the header limit plus the body limit, whatever it is fed.
public struct HTTPRequestParser: Sendable {
    public let maximumHeaderBytes: Int
    public let maximumBodyBytes: Int
    private var buffer: [UInt8] = []

    public init(maximumHeaderBytes: Int = 16 << 10, maximumBodyBytes: Int = 64 << 10) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// True while part of a request is buffered.
    public var hasPartialRequest: Bool { !buffer.isEmpty }

    /// Adds received bytes.
    public mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole request, nil if more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        // Tolerate blank lines between requests (RFC 9112 §2.2).
        while buffer.count >= 2 && buffer[0] == 13 && buffer[1] == 10 { buffer.removeFirst(2) }
        guard let headerEnd = Self.find([13, 10, 13, 10], in: buffer, limit: maximumHeaderBytes + 4) else {
            if buffer.count > maximumHeaderBytes { throw .headerTooLarge(limit: maximumHeaderBytes) }
            return nil
        }
        guard let head = String(validating: buffer[0..<headerEnd], as: UTF8.self) else {
            throw .malformed("header is not UTF-8")
        }
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3 else { throw .malformed("request line must be 'METHOD TARGET VERSION'") }
        let method = String(requestLine[0])
        let target = String(requestLine[1])
        let version = String(requestLine[2])
        guard !method.isEmpty, method.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw .malformed("invalid method")
        }
        guard target.hasPrefix("/") else { throw .malformed("target must start with '/'") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .malformed("unsupported version") }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw .malformed("header line without a name")
            }
            let name = line[..<colon]
            guard !name.contains(" ") && !name.contains("\t") else { throw .malformed("space in header name") }
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers.append((name.lowercased(), value))
        }
        if headers.contains(where: { $0.0 == "transfer-encoding" }) {
            throw .malformed("transfer-encoding is not supported; send Content-Length")
        }
        var length = 0
        let lengths = headers.filter { $0.0 == "content-length" }.map(\.1)
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), let parsed = Int(first), parsed >= 0 else {
                throw .malformed("invalid Content-Length")
            }
            guard parsed <= maximumBodyBytes else { throw .bodyTooLarge(limit: maximumBodyBytes) }
            length = parsed
        }
        let bodyStart = headerEnd + 4
        guard buffer.count >= bodyStart + length else { return nil }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        let (path, query) = Self.split(target)
        return HTTPRequest(method: method, path: path, query: query, version: version, headers: headers, body: body)
    }

    static func split(_ target: String) -> (String, String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], limit: Int) -> Int? {
        let end = min(haystack.count, limit) - needle.count
        guard end >= 0 else { return nil }
        var index = 0
        while index <= end {
            if haystack[index] == needle[0] && haystack[index + 1] == needle[1] && haystack[index + 2] == needle[2]
                && haystack[index + 3] == needle[3]
            {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
