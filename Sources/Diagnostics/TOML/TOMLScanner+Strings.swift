extension TOMLScanner {
    /// A basic ("…", with escapes) or literal ('…', verbatim) single-line string.
    mutating func readString() throws(ParseError) -> String {
        let quote = bytes[offset]
        if starts(with: quote == UInt8(ascii: "\"") ? "\"\"\"" : "'''") {
            throw error("multi-line strings are not used in meshnode's config: use one \"…\" string")
        }
        offset += 1
        var scalars = String.UnicodeScalarView()
        var start = offset
        while true {
            guard let byte = peek, byte != 0x0A, byte != 0x0D || peek(at: 1) != 0x0A else {
                throw error("unterminated string (a string ends on its own line)")
            }
            if byte == quote {
                scalars.append(contentsOf: String(decoding: bytes[start..<offset], as: UTF8.self).unicodeScalars)
                offset += 1
                return String(scalars)
            }
            if Self.isControl(byte) {
                throw error("control character \(Self.describe(byte)) in a string (write it as an escape such as \\n)")
            }
            if byte == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                scalars.append(contentsOf: String(decoding: bytes[start..<offset], as: UTF8.self).unicodeScalars)
                offset += 1
                scalars.append(try readEscape())
                start = offset
            } else {
                offset += 1
            }
        }
    }

    /// The escape after a backslash, as TOML 1.0 lists them (no others).
    private mutating func readEscape() throws(ParseError) -> Unicode.Scalar {
        guard let escape = peek else { throw error("unterminated string") }
        offset += 1
        switch escape {
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = escape == UInt8(ascii: "u") ? 4 : 8
            var code: UInt32 = 0
            for _ in 0..<count {
                guard let byte = peek, let digit = Self.hexValue(byte) else {
                    throw error("\\\(Unicode.Scalar(escape)) needs \(count) hexadecimal digits")
                }
                code = code << 4 | UInt32(digit)
                offset += 1
            }
            // Surrogates and values past U+10FFFF are not Unicode scalar values.
            guard let scalar = Unicode.Scalar(code) else {
                throw error(
                    "\\\(Unicode.Scalar(escape)) escape \(String(code, radix: 16)) is not a Unicode scalar value")
            }
            return scalar
        default:
            let shown = Self.isControl(escape) ? Self.describe(escape) : String(Unicode.Scalar(escape))
            throw error("invalid escape '\\\(shown)' (TOML has \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)")
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// A value without quotes: a boolean, a number, or an error that says what it is not.
    mutating func readBareValue() throws(ParseError) -> Value {
        let start = offset
        while let byte = peek, !Self.endsBareValue(byte) { offset += 1 }
        let token = bytes[start..<offset]
        let text = String(decoding: token, as: UTF8.self)
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if Self.looksLikeDateOrTime(token) {
            throw error("dates and times ('\(text)') are not used in meshnode's config")
        }
        do {
            if let number = try TOMLNumber.parse(token) { return number }
        } catch {
            throw ParseError(line: line, message: "invalid number '\(text)': \(error.reason)")
        }
        throw ParseError(
            line: line,
            message: "'\(text)' is not a value: strings need double quotes, booleans are true or false",
            unreadableValue: text)
    }

    /// Where an unquoted value ends: whitespace, a line end, a comment, an array's punctuation.
    static func endsBareValue(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "]"): return true
        default: return isControl(byte)
        }
    }

    /// `1979-05-27…` or `07:32:00…`: TOML's date-time forms start with 4 digits and '-', or
    /// 2 digits and ':'.
    static func looksLikeDateOrTime(_ token: ArraySlice<UInt8>) -> Bool {
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let prefix = Array(token.prefix(5))
        if prefix.count == 5 && prefix[0..<4].allSatisfy(isDigit) && prefix[4] == UInt8(ascii: "-") { return true }
        return prefix.count >= 3 && prefix[0..<2].allSatisfy(isDigit) && prefix[2] == UInt8(ascii: ":")
    }
}
