import Diagnostics
import Wire

/// One scenario's figures: printed as one JSON object line on stdout and a table on stderr.
struct BenchReport {
    let scenario: String
    var fields: [(String, JSONValue)] = []

    init(_ scenario: String) {
        self.scenario = scenario
    }

    mutating func set(_ name: String, _ value: Int) { fields.append((name, .int(value))) }
    mutating func set(_ name: String, _ value: Double) {
        fields.append((name, .double((value * 1000).rounded() / 1000)))
    }

    func value(_ name: String) -> Double? {
        for (key, value) in fields where key == name {
            switch value {
            case .int(let number): return Double(number)
            case .double(let number): return number
            default: return nil
            }
        }
        return nil
    }

    func emit() {
        Posix.writeLine(Posix.standardOutput, JSONValue.object([("scenario", .string(scenario))] + fields).render())
        var table = "\(scenario):\n"
        for (key, value) in fields { table += "  \(key.padding(24)) \(value.render())\n" }
        Posix.writeAll(Posix.standardError, table)
    }
}

/// A progress line on stderr for long runs.
func progress(_ text: String) {
    Posix.writeLine(Posix.standardError, "… \(text)")
}

extension Posix {
    static func writeAll(_ fd: Int32, _ text: String) {
        Array(text.utf8).withUnsafeBytes { _ = writeAll(fd, $0) }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// Nearest-rank percentile of unsorted samples.
func percentile(_ samples: [Double], _ fraction: Double) -> Double {
    guard !samples.isEmpty else { return 0 }
    let sorted = samples.sorted()
    let rank = max(0, min(sorted.count - 1, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[rank]
}

extension BenchReport {
    /// A report from its JSON line (as `emit` prints it), for a scenario run in a child process.
    init(parsing bytes: [UInt8]) throws {
        let root = try JSONValue.parse(bytes)
        guard let name = root["scenario"]?.stringValue, let fields = root.objectValue else {
            throw BenchError("not a report: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        self.init(name)
        self.fields = fields.filter { $0.0 != "scenario" }
    }

    /// The report as its JSON line.
    var line: String { JSONValue.object([("scenario", .string(scenario))] + fields).render() }
}
