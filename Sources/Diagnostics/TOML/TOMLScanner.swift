/// A cursor over a TOML document's bytes that knows its line. It reads bytes, not Characters:
/// Swift's Character folds "\r\n" into one grapheme, so splitting a String on "\n" sees a CRLF
/// file as a single line.
struct TOMLScanner {
    typealias ParseError = TOMLDocument.ParseError
    typealias Value = TOMLDocument.Value

    let bytes: [UInt8]
    var offset = 0
    /// 1-based line of `offset`.
    var line = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A leading byte order mark is not part of the document (TOML 1.0 allows it).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
    }

    var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    func peek(at distance: Int) -> UInt8? { offset + distance < bytes.count ? bytes[offset + distance] : nil }

    func starts(with text: String) -> Bool { bytes[offset...].starts(with: text.utf8) }

    func error(_ message: String) -> ParseError { ParseError(line: line, message: message) }

    /// Fails on the first line that is not UTF-8.
    func checkEncoding() throws(ParseError) {
        var number = 1
        for lineBytes in bytes[offset...].split(separator: 0x0A, omittingEmptySubsequences: false) {
            guard String(validating: lineBytes, as: UTF8.self) != nil else {
                throw ParseError(line: number, message: "not UTF-8 text")
            }
            number += 1
        }
    }

    /// Control characters TOML forbids in strings and comments: U+0000–U+001F except tab, and DEL.
    static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09) || byte == 0x7F }

    static func describe(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    mutating func skipSpaces() {
        while let byte = peek, byte == 0x20 || byte == 0x09 { offset += 1 }
    }

    /// Skips a `#` comment up to (not including) its line end.
    mutating func skipComment() throws(ParseError) {
        guard peek == UInt8(ascii: "#") else { return }
        offset += 1
        while let byte = peek, byte != 0x0A {
            if byte == 0x0D && peek(at: 1) == 0x0A { return }
            if Self.isControl(byte) { throw error("control character \(Self.describe(byte)) in a comment") }
            offset += 1
        }
    }

    /// Consumes a line end (LF or CRLF) or accepts the end of the text; false if anything
    /// else is here.
    mutating func consumeLineEnd() throws(ParseError) -> Bool {
        guard let byte = peek else { return true }
        switch byte {
        case 0x0A:
            offset += 1
        case 0x0D:
            guard peek(at: 1) == 0x0A else { throw error("a carriage return must be followed by a line feed") }
            offset += 2
        default:
            return false
        }
        line += 1
        return true
    }

    /// The next `key = value` line, or nil at the end of the document.
    mutating func nextEntry() throws(ParseError) -> (key: String, value: Value, line: Int)? {
        while true {
            skipSpaces()
            try skipComment()
            guard peek != nil else { return nil }
            guard try consumeLineEnd() else { break }
        }
        let keyLine = line
        let key = try readKey()
        skipSpaces()
        guard peek == UInt8(ascii: "=") else {
            if peek == UInt8(ascii: ".") {
                throw error("dotted keys ('\(key).…') are not used in meshnode's config: every key is top-level")
            }
            throw error("expected '=' after the key '\(key)'")
        }
        offset += 1
        skipSpaces()
        let value: Value
        do {
            value = try readValue()
        } catch {
            var named = error
            named.key = key
            throw named
        }
        skipSpaces()
        try skipComment()
        guard try consumeLineEnd() else {
            throw error("unexpected text after the value of '\(key)' (one 'key = value' per line)")
        }
        return (key, value, keyLine)
    }

    mutating func readKey() throws(ParseError) -> String {
        switch peek {
        case UInt8(ascii: "["):
            throw error("tables ([section]) are not used in meshnode's config: put every key at the top level")
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            throw error("quoted keys are not used in meshnode's config: write the key bare (letters, digits, _ and -)")
        default: break
        }
        let start = offset
        while let byte = peek, Self.isBareKeyByte(byte) { offset += 1 }
        guard offset > start else {
            let found = peek.map { Self.isControl($0) ? Self.describe($0) : "'\(String(Unicode.Scalar($0)))'" } ?? ""
            throw error("expected 'key = value', found \(found) where a key (letters, digits, _ and -) starts")
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default: return false
        }
    }

    mutating func readValue() throws(ParseError) -> Value {
        guard let byte = peek else { throw error("missing value") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .string(try readString())
        case UInt8(ascii: "["): return .strings(try readArray())
        case UInt8(ascii: "{"): throw error("inline tables ({...}) are not used in meshnode's config")
        case 0x0A, 0x0D, UInt8(ascii: "#"): throw error("missing value")
        default: return try readBareValue()
        }
    }

    /// An array of strings; it may span lines, with comments and a trailing comma.
    mutating func readArray() throws(ParseError) -> [String] {
        let openingLine = line
        let unclosed = ParseError(line: openingLine, message: "the array is never closed with ']'")
        offset += 1
        var items: [String] = []
        while true {
            try skipArraySpace()
            guard let byte = peek else { throw unclosed }
            switch byte {
            case UInt8(ascii: "]"):
                offset += 1
                return items
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                items.append(try readString())
            case UInt8(ascii: ","):
                throw error("expected a value before ',' in the array")
            default:
                throw error("arrays in meshnode's config hold only strings (in double quotes)")
            }
            try skipArraySpace()
            guard let next = peek else { throw unclosed }
            if next == UInt8(ascii: ",") {
                offset += 1
            } else if next != UInt8(ascii: "]") {
                throw error("expected ',' or ']' in the array")
            }
        }
    }

    /// Whitespace, comments and line ends, which TOML allows between array items.
    mutating func skipArraySpace() throws(ParseError) {
        while true {
            skipSpaces()
            try skipComment()
            guard peek != nil, try consumeLineEnd() else { return }
        }
    }
}
