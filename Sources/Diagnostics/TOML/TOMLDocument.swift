/// The TOML 1.0 subset meshnode's config file uses: top-level `key = value` lines whose values
/// are strings, integers, floats, booleans or arrays of strings (which may span lines), and
/// `#` comments. LF or CRLF line ends, an optional UTF-8 byte order mark.
///
/// What it accepts it reads exactly as TOML 1.0 does (its ABNF for numbers, strings and
/// escapes). Valid TOML outside the subset (tables, dotted or quoted keys, multi-line strings,
/// inline tables, dates, arrays of other types) is refused with its line and the reason,
/// never reinterpreted.
package struct TOMLDocument: Equatable, Sendable {
    package enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case double(Double)
        case boolean(Bool)
        case strings([String])

        package var typeName: String {
            switch self {
            case .string: return "a string"
            case .integer: return "an integer"
            case .double: return "a float"
            case .boolean: return "a boolean"
            case .strings: return "an array of strings"
            }
        }
    }

    /// A parse error with its 1-based line.
    package struct ParseError: Error, Equatable, CustomStringConvertible {
        package let line: Int
        package let message: String
        /// The key whose value could not be read, when the error is in a value: lets the
        /// config say what that key expects instead of a generic "not a value".
        package var key: String? = nil
        /// The unreadable value's text, when the value is not TOML at all (`lan = yes`).
        package var unreadableValue: String? = nil
        package var description: String { "line \(line): \(message)" }

        package init(line: Int, message: String, key: String? = nil, unreadableValue: String? = nil) {
            self.line = line
            self.message = message
            self.key = key
            self.unreadableValue = unreadableValue
        }
    }

    /// Keys in file order, with the line each was set on.
    package private(set) var entries: [(key: String, value: Value, line: Int)] = []

    package static func == (lhs: TOMLDocument, rhs: TOMLDocument) -> Bool {
        lhs.entries.map { "\($0.key)=\($0.value)@\($0.line)" } == rhs.entries.map { "\($0.key)=\($0.value)@\($0.line)" }
    }

    /// Parses a document held as a String (its UTF-8 bytes).
    package init(parsing text: String) throws(ParseError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Parses a document's bytes: UTF-8 is checked here, line by line, so a bad byte is
    /// reported with its line like any other error.
    package init(parsing bytes: [UInt8]) throws(ParseError) {
        var scanner = TOMLScanner(bytes: bytes)
        try scanner.checkEncoding()
        var seen: Set<String> = []
        while let (key, value, line) = try scanner.nextEntry() {
            // Keys compare by their bytes: bare keys are ASCII, so this is TOML's comparison.
            guard seen.insert(key).inserted else {
                throw ParseError(line: line, message: "key '\(key)' is set twice")
            }
            entries.append((key, value, line))
        }
    }

    subscript(key: String) -> Value? { entries.first { $0.key == key }?.value }
}
