/// Why bytes are not JSON.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure, for callers that answer differently (an HTTP 400 that names a
    /// duplicated key, say).
    public enum Kind: Sendable, Equatable {
        /// Not RFC 8259 JSON.
        case syntax
        /// Valid RFC 8259 grammar, but an object names `key` twice. RFC 8259 leaves the meaning
        /// open (parsers keep the first or the last); meshnode refuses it, so a request cannot
        /// mean one thing to us and another to a proxy or a log reader.
        case duplicateKey(String)
        /// Nested deeper than the parser's budget.
        case tooDeep
    }

    public let offset: Int
    public let message: String
    public let kind: Kind
    public var description: String { "invalid JSON at byte \(offset): \(message)" }

    init(offset: Int, message: String, kind: Kind = .syntax) {
        self.offset = offset
        self.message = message
        self.kind = kind
    }
}

extension JSONValue {
    /// Parses RFC 8259 JSON exactly (nesting up to 64 levels); an object that repeats a key is
    /// refused (`JSONParseError.Kind.duplicateKey`). Written here so that the node, the
    /// diagnostics and the benchmarks do not load Foundation (about 8 MiB of resident memory).
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.offset == bytes.count else { throw parser.error("trailing characters") }
        return value
    }

    /// The member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case .int(let number): return number
        case .double(let number) where number == number.rounded() && abs(number) < 1e15: return Int(number)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: [(String, JSONValue)]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var offset = 0

    func error(_ message: String) -> JSONParseError { JSONParseError(offset: offset, message: message) }

    mutating func skipSpace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < 64 else { throw JSONParseError(offset: offset, message: "nested too deeply", kind: .tooDeep) }
        guard offset < bytes.count else { throw error("unexpected end") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    mutating func literal(_ word: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let utf8 = Array(word.utf8)
        guard offset + utf8.count <= bytes.count, Array(bytes[offset..<(offset + utf8.count)]) == utf8 else {
            throw error("unexpected character")
        }
        offset += utf8.count
        return value
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        offset += 1
        var fields: [(String, JSONValue)] = []
        // Keys compare by code points (their UTF-8), not by Swift's canonical equivalence:
        // "é" and "e\u0301" are two different JSON names.
        var names: Set<[UInt8]> = []
        skipSpace()
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(fields)
        }
        while true {
            skipSpace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let keyOffset = offset
            let key = try string()
            guard names.insert(Array(key.utf8)).inserted else {
                throw JSONParseError(
                    offset: keyOffset, message: "duplicate key \(JSONText.quoted(key))", kind: .duplicateKey(key))
            }
            skipSpace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expected ':'") }
            offset += 1
            skipSpace()
            fields.append((key, try value(depth: depth + 1)))
            skipSpace()
            guard offset < bytes.count else { throw error("unexpected end in object") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(fields)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        offset += 1
        var items: [JSONValue] = []
        skipSpace()
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard offset < bytes.count else { throw error("unexpected end in array") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(items)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    mutating func string() throws(JSONParseError) -> String {
        offset += 1
        var scalars = String.UnicodeScalarView()
        var start = offset
        func flush(_ parser: JSONParser, _ end: Int, into scalars: inout String.UnicodeScalarView)
            throws(JSONParseError)
        {
            guard start < end else { return }
            guard let text = String(validating: parser.bytes[start..<end], as: UTF8.self) else {
                throw parser.error("invalid UTF-8 in string")
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                try flush(self, offset, into: &scalars)
                offset += 1
                return String(scalars)
            }
            if byte < 0x20 { throw error("control character in string") }
            if byte == UInt8(ascii: "\\") {
                try flush(self, offset, into: &scalars)
                offset += 1
                guard offset < bytes.count else { break }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code), offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"),
                        bytes[offset + 1] == UInt8(ascii: "u")
                    {
                        offset += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    scalars.append(scalar)
                default: throw error("invalid escape")
                }
                start = offset
                continue
            }
            offset += 1
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        // Four hex digits exactly: UInt32(_:radix:) would also take a sign ("\u+123").
        guard offset + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[offset..<(offset + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        offset += 4
        return value
    }

    /// RFC 8259 section 6, checked byte by byte before any conversion (Swift's Int() and
    /// Double() accept "012", "1.", ".5", "+1", "0x1p4", "inf"...):
    ///
    ///     number = [ "-" ] int [ frac ] [ exp ]
    ///     int    = "0" / ( digit1-9 *DIGIT )
    ///     frac   = "." 1*DIGIT
    ///     exp    = ( "e" / "E" ) [ "-" / "+" ] 1*DIGIT
    mutating func number() throws(JSONParseError) -> JSONValue {
        let start = offset
        if peek == UInt8(ascii: "-") { offset += 1 }
        guard let first = peek, isDigit(first) else {
            throw offset == start ? error("unexpected character") : error("expected a digit after '-'")
        }
        offset += 1
        if first == UInt8(ascii: "0") {
            if let next = peek, isDigit(next) { throw error("leading zeros are not allowed") }
        } else {
            skipDigits()
        }
        var isInteger = true
        if peek == UInt8(ascii: ".") {
            offset += 1
            guard let next = peek, isDigit(next) else { throw error("expected a digit after '.'") }
            skipDigits()
            isInteger = false
        }
        if let marker = peek, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            offset += 1
            if let sign = peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { offset += 1 }
            guard let next = peek, isDigit(next) else { throw error("expected a digit in the exponent") }
            skipDigits()
            isInteger = false
        }
        // ASCII only, so the decoding is exact; the grammar is checked, so Int/Double read it as written.
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if isInteger, let integer = Int(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else {
            throw JSONParseError(offset: start, message: "number out of range '\(text)'")
        }
        return .double(double)
    }

    var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { offset += 1 }
    }
}
