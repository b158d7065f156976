/// The TOML subset meshnode's config file uses: `key = value` lines with strings, integers,
/// booleans and arrays of strings (which may span lines), and `#` comments.
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
            case .double: return "a number"
            case .boolean: return "a boolean"
            case .strings: return "an array of strings"
            }
        }
    }

    /// A parse error with its 1-based line.
    package struct ParseError: Error, Equatable, CustomStringConvertible {
        package let line: Int
        package let message: String
        package var description: String { "line \(line): \(message)" }
    }

    /// Keys in file order, with the line each was set on.
    package private(set) var entries: [(key: String, value: Value, line: Int)] = []

    package static func == (lhs: TOMLDocument, rhs: TOMLDocument) -> Bool {
        lhs.entries.map { "\($0.key)=\($0.value)@\($0.line)" } == rhs.entries.map { "\($0.key)=\($0.value)@\($0.line)" }
    }

    package init(parsing text: String) throws(ParseError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        var index = 0
        var seen: Set<String> = []
        while index < lines.count {
            let number = index + 1
            var line = try Self.stripComment(lines[index], line: number)
            index += 1
            guard !line.trimmed.isEmpty else { continue }
            if line.trimmed.hasPrefix("[") {
                throw ParseError(line: number, message: "tables ([section]) are not used in meshnode's config")
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(line: number, message: "expected 'key = value'")
            }
            let key = line[..<equals].trimmed
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw ParseError(line: number, message: "invalid key '\(key)'")
            }
            guard seen.insert(key).inserted else { throw ParseError(line: number, message: "key '\(key)' set twice") }
            var valueText = line[line.index(after: equals)...].trimmed
            // A multi-line array: gather lines until the brackets balance.
            if valueText.hasPrefix("[") && !Self.arrayIsClosed(valueText) {
                while index < lines.count && !Self.arrayIsClosed(valueText) {
                    line = try Self.stripComment(lines[index], line: index + 1)
                    valueText += " " + line.trimmed
                    index += 1
                }
                guard Self.arrayIsClosed(valueText) else {
                    throw ParseError(line: number, message: "array for '\(key)' is never closed with ']'")
                }
            }
            entries.append((key, try Self.parseValue(valueText, line: number), number))
        }
    }

    subscript(key: String) -> Value? { entries.first { $0.key == key }?.value }

    /// Calls `body` with each character outside double-quoted strings (escapes honoured),
    /// until it returns false; returns whether a string was left open.
    private static func scanOutsideStrings<S: StringProtocol>(
        _ text: S, _ body: (S.Index, Character) -> Bool
    ) -> (stringOpen: Bool, stopped: Bool) {
        var inString = false
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if inString {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
            } else if character == "\"" {
                inString = true
            } else if !body(index, character) {
                return (false, true)
            }
        }
        return (inString, false)
    }

    private static func stripComment(_ line: Substring, line number: Int) throws(ParseError) -> Substring {
        var end = line.endIndex
        let scan = scanOutsideStrings(line) { index, character in
            guard character == "#" else { return true }
            end = index
            return false
        }
        if scan.stringOpen { throw ParseError(line: number, message: "unterminated string") }
        return line[..<end]
    }

    private static func arrayIsClosed(_ text: String) -> Bool {
        var depth = 0
        _ = scanOutsideStrings(text) { _, character in
            if character == "[" { depth += 1 } else if character == "]" { depth -= 1 }
            return true
        }
        return depth == 0
    }

    private static func parseValue(_ text: String, line: Int) throws(ParseError) -> Value {
        if text.isEmpty { throw ParseError(line: line, message: "missing value") }
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if text.hasPrefix("\"") {
            var rest = Substring(text)
            let string = try parseString(&rest, line: line)
            guard rest.trimmed.isEmpty else { throw ParseError(line: line, message: "unexpected text after string") }
            return .string(string)
        }
        if text.hasPrefix("[") {
            var rest = Substring(text).dropFirst()
            var items: [String] = []
            while true {
                rest = Substring(rest.trimmed)
                if rest.hasPrefix("]") {
                    rest = rest.dropFirst()
                    break
                }
                guard rest.hasPrefix("\"") else {
                    throw ParseError(line: line, message: "arrays may hold only strings")
                }
                items.append(try parseString(&rest, line: line))
                rest = Substring(rest.trimmed)
                if rest.hasPrefix(",") {
                    rest = rest.dropFirst()
                } else if !rest.hasPrefix("]") {
                    throw ParseError(line: line, message: "expected ',' or ']' in array")
                }
            }
            guard rest.trimmed.isEmpty else { throw ParseError(line: line, message: "unexpected text after array") }
            return .strings(items)
        }
        let digits = text.replacingUnderscores()
        if let integer = Int(digits) { return .integer(integer) }
        if let number = Double(digits), number.isFinite { return .double(number) }
        throw ParseError(line: line, message: "cannot read value '\(text)' (strings need double quotes)")
    }

    private static func parseString(_ text: inout Substring, line: Int) throws(ParseError) -> String {
        text = text.dropFirst()  // the opening quote
        var result = ""
        while let character = text.first {
            text = text.dropFirst()
            switch character {
            case "\"": return result
            case "\\":
                guard let escape = text.first else { break }
                text = text.dropFirst()
                switch escape {
                case "\"": result.append("\"")
                case "\\": result.append("\\")
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: throw ParseError(line: line, message: "unsupported escape '\\\(escape)'")
                }
            default: result.append(character)
            }
        }
        throw ParseError(line: line, message: "unterminated string")
    }
}

extension StringProtocol {
    var trimmed: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }

    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
