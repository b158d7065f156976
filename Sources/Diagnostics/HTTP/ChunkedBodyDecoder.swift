/// Decodes a chunked request body (RFC 9112 §7.1) incrementally, within budgets: the body
/// up to `maximumBodyBytes` (413 past it, checked against each declared chunk size before
/// its bytes arrive), a chunk-size line up to 4 KiB, the trailer section up to
/// `maximumTrailerBytes`. Chunk extensions and trailer fields are read and ignored.
struct ChunkedBodyDecoder: Sendable {
    static let maximumSizeLine = 4096
    let maximumBodyBytes: Int
    let maximumTrailerBytes: Int
    private(set) var body: [UInt8] = []
    private var state = State.sizeLine
    private var trailerBytes = 0

    enum State: Sendable {
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        case trailer
        case done
    }

    init(maximumBodyBytes: Int, maximumTrailerBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumTrailerBytes = maximumTrailerBytes
    }

    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Consumes what it can of `bytes`; returns how many bytes it used (the rest is an
    /// incomplete line, or the next request once complete).
    mutating func feed(_ bytes: [UInt8]) throws(HTTPParseError) -> Int {
        var offset = 0
        while offset < bytes.count {
            switch state {
            case .done:
                return offset
            case .sizeLine:
                guard let (line, next) = try Self.line(in: bytes, from: offset, limit: Self.maximumSizeLine) else {
                    return offset
                }
                let size = try chunkSize(line)
                offset = next
                state = size == 0 ? .trailer : .data(remaining: size)
            case .data(let remaining):
                let take = min(remaining, bytes.count - offset)
                body.append(contentsOf: bytes[offset..<(offset + take)])
                offset += take
                state = take == remaining ? .dataEnd : .data(remaining: remaining - take)
            case .dataEnd:
                guard let (line, next) = try Self.line(in: bytes, from: offset, limit: 2) else { return offset }
                guard line.isEmpty else { throw .malformed("chunk data longer than its size") }
                offset = next
                state = .sizeLine
            case .trailer:
                let room = maximumTrailerBytes - trailerBytes
                let tooLarge = HTTPParseError.headerTooLarge(limit: maximumTrailerBytes)
                guard let (line, next) = try Self.line(in: bytes, from: offset, limit: max(room, 0), tooLong: tooLarge)
                else { return offset }
                trailerBytes += next - offset
                if trailerBytes > maximumTrailerBytes { throw .headerTooLarge(limit: maximumTrailerBytes) }
                offset = next
                if line.isEmpty { state = .done }
            }
        }
        return offset
    }

    /// `1*HEXDIG [ chunk-ext ]`; the size must fit in what is left of the budget.
    private func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        let digits = line.prefix { Self.hexValue($0) != nil }
        guard !digits.isEmpty else { throw .malformed("invalid chunk size") }
        let rest = line[digits.endIndex...].drop { $0 == 0x20 || $0 == 0x09 }
        guard rest.isEmpty || rest.first == UInt8(ascii: ";") else { throw .malformed("invalid chunk size") }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        let room = maximumBodyBytes - body.count
        // More than 15 significant hex digits cannot fit any budget: refuse before converting.
        guard significant.count <= 15 else { throw .bodyTooLarge(limit: maximumBodyBytes) }
        var size = 0
        for digit in significant { size = size << 4 | Int(Self.hexValue(digit)!) }
        guard size <= room else { throw .bodyTooLarge(limit: maximumBodyBytes) }
        return size
    }

    /// The line starting at `start` without its LF or CRLF, and where the next one starts;
    /// nil if the line has not ended yet. A line longer than `limit` is refused.
    private static func line(
        in bytes: [UInt8], from start: Int, limit: Int,
        tooLong: HTTPParseError = .malformed("chunked line too long or missing its end")
    ) throws(HTTPParseError) -> (ArraySlice<UInt8>, Int)? {
        let end = min(bytes.count, start + limit + 2)
        guard let lf = bytes[start..<end].firstIndex(of: 0x0A) else {
            if end - start > limit + 1 { throw tooLong }
            return nil
        }
        var line = bytes[start..<lf]
        if line.last == 0x0D { line = line.dropLast() }
        if line.contains(0x0D) { throw .malformed("bare CR in chunked body") }
        return (line, lf + 1)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
