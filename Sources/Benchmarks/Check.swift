import Diagnostics
import Wire

/// `--check Benchmarks/thresholds.json`: runs the quick variant of each scenario and fails
/// when a figure is worse than its threshold. Speed figures have generous limits (this is a
/// noisy 2-core machine); correctness figures (duplicates, drops, leaks) must be exact.
enum Check {
    struct Rule {
        let scenario: String
        let arguments: [String]
        let limits: [(field: String, maximum: Double?, minimum: Double?)]
    }

    static func run(_ arguments: [String]) async -> Int32 {
        guard let path = arguments.first else {
            Posix.writeLine(Posix.standardError, "Benchmarks --check: give the thresholds file")
            return 2
        }
        let rules: [Rule]
        do {
            rules = try load(path)
        } catch {
            Posix.writeLine(Posix.standardError, "Benchmarks --check: \(path): \(error)")
            return 2
        }
        var failures: [String] = []
        var passed = 0
        var skipped = 0
        for rule in rules {
            guard let scenario = Scenario(rawValue: rule.scenario) else {
                failures.append("\(rule.scenario): unknown scenario")
                continue
            }
            do {
                let report = try await scenario.run(rule.arguments)
                report.emit()
                for limit in rule.limits {
                    guard let value = report.value(limit.field) else {
                        failures.append("\(rule.scenario).\(limit.field): missing")
                        continue
                    }
                    if let maximum = limit.maximum, value > maximum {
                        failures.append("\(rule.scenario).\(limit.field) = \(value) > \(maximum)")
                    } else if let minimum = limit.minimum, value < minimum {
                        failures.append("\(rule.scenario).\(limit.field) = \(value) < \(minimum)")
                    } else {
                        passed += 1
                    }
                }
            } catch let reason as BenchSkipped {
                // Not a pass: its figures were not measured, and the summary says so.
                Posix.writeLine(Posix.standardError, "check: SKIPPED \(rule.scenario): \(reason)")
                skipped += 1
            } catch {
                failures.append("\(rule.scenario): \(error)")
            }
        }
        for failure in failures { Posix.writeLine(Posix.standardError, "check: FAILED \(failure)") }
        Posix.writeLine(
            Posix.standardOutput,
            "benchmarks: \(passed) passed, \(failures.count) failed"
                + (skipped > 0 ? ", \(skipped) scenario(s) skipped (their figures were not measured)" : ""))
        return failures.isEmpty ? 0 : 1
    }

    /// `{"scenarios":[{"scenario":"mesh","args":["--nodes","20"],"max":{"ticks_to_target":6},"min":{…}}]}`
    static func load(_ path: String) throws -> [Rule] {
        guard let bytes = try Posix.readFile(path) else { throw BenchError("no such file") }
        let root = try JSONValue.parse(bytes)
        guard let scenarios = root["scenarios"]?.arrayValue else { throw BenchError("expected {\"scenarios\": [...]}") }
        return try scenarios.map { entry in
            guard let name = entry["scenario"]?.stringValue else { throw BenchError("a scenario without a name") }
            var limits: [(String, Double?, Double?)] = []
            for (field, value) in entry["max"]?.objectValue ?? [] { limits.append((field, value.doubleValue, nil)) }
            for (field, value) in entry["min"]?.objectValue ?? [] { limits.append((field, nil, value.doubleValue)) }
            let arguments = entry["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return Rule(scenario: name, arguments: arguments, limits: limits.sorted { $0.0 < $1.0 })
        }
    }
}
