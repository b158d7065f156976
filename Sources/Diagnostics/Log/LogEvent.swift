/// One structured log event: a stable dotted name, a level, optional peer and reason, fields.
public struct LogEvent: Sendable {
    /// A field value: JSON has strings, numbers and booleans.
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
    }

    public var timestamp: String
    public var level: LogLevel
    /// A stable name such as `peer.connected` or `dial.failed`.
    public var event: String
    public var peer: String?
    public var reason: String?
    public var fields: [(String, Value)]

    public init(
        level: LogLevel, event: String, peer: String? = nil, reason: String? = nil,
        fields: [(String, Value)] = [], timestamp: String = Timestamp.now()
    ) {
        self.timestamp = timestamp
        self.level = level
        self.event = event
        self.peer = peer
        self.reason = reason
        self.fields = fields
    }

    /// One JSON object: `ts`, `level`, `event`, `peer`, `reason`, then the fields.
    public func jsonLine() -> String {
        var line = "{\"ts\":\(JSONText.quoted(timestamp)),\"level\":\(JSONText.quoted(level.description))"
        line += ",\"event\":\(JSONText.quoted(event))"
        if let peer { line += ",\"peer\":\(JSONText.quoted(peer))" }
        if let reason { line += ",\"reason\":\(JSONText.quoted(reason))" }
        for (key, value) in fields { line += ",\(JSONText.quoted(key)):\(JSONText.render(value))" }
        return line + "}"
    }

    /// The same event for a person: `12:39:43.123 INFO  peer.connected peer=… reason=… k=v`.
    public func textLine() -> String {
        let time = timestamp.split(separator: "T").last.map { String($0.dropLast()) } ?? timestamp
        let levelText = level.description.uppercased()
        var line = "\(time) \(levelText)\(String(repeating: " ", count: max(1, 8 - levelText.count)))\(event)"
        if let peer { line += " peer=\(peer)" }
        if let reason { line += " reason=\(reason)" }
        for (key, value) in fields {
            switch value {
            case .string(let text): line += " \(key)=\(text.contains(" ") ? JSONText.quoted(text) : text)"
            default: line += " \(key)=\(JSONText.render(value))"
            }
        }
        return line
    }
}

/// Minimal JSON text helpers for flat log objects.
public enum JSONText {
    /// `text` as a JSON string literal, escaped per RFC 8259.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    static func render(_ value: LogEvent.Value) -> String {
        switch value {
        case .string(let text): return quoted(text)
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? String(number) : "null"
        case .bool(let flag): return flag ? "true" : "false"
        }
    }
}
