import Wire

/// `--name value` options of a scenario, with defaults and one-line errors.
struct BenchOptions {
    private var values: [String: String] = [:]

    init(_ arguments: [String], allowed: Set<String>) throws(BenchError) {
        var index = 0
        while index < arguments.count {
            let flag = arguments[index]
            guard flag.hasPrefix("--"), allowed.contains(String(flag.dropFirst(2))) else {
                throw BenchError(
                    "unknown option '\(flag)' (allowed: \(allowed.sorted().map { "--" + $0 }.joined(separator: ", ")))")
            }
            guard index + 1 < arguments.count else { throw BenchError("\(flag) needs a value") }
            values[String(flag.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
    }

    func int(_ name: String, _ fallback: Int) throws(BenchError) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), value > 0 else { throw BenchError("--\(name): expected a positive integer") }
        return value
    }

    func string(_ name: String) -> String? { values[name] }

    func double(_ name: String, _ fallback: Double) throws(BenchError) -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = Double(text), value > 0 else { throw BenchError("--\(name): expected a positive number") }
        return value
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A scenario that cannot run here (not root, no network namespaces): `Benchmarks` exits
/// with ``status`` and `--check` counts it as skipped, never as a pass.
struct BenchSkipped: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// The exit status of a skipped scenario (automake's "skipped").
    static let status: Int32 = 77
}
