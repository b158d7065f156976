import Testing

@testable import Diagnostics

/// A small reader for the text exposition format, strict enough to catch what promtool
/// rejects: every sample belongs to a family declared with HELP and TYPE, names and labels
/// are well formed, values parse, histogram buckets are cumulative and end with +Inf.
struct ExpositionChecker {
    static func problems(in text: String) -> [String] {
        var problems: [String] = []
        var types: [String: String] = [:]
        var lastBucket: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram"].contains(parts[3]) else {
                    problems.append("bad TYPE: \(line)")
                    continue
                }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                problems.append("bad sample: \(line)")
                continue
            }
            let series = line[..<space]
            let name = String(series.prefix { $0 != "{" })
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                problems.append("bad name: \(line)")
                continue
            }
            let family = ["_bucket", "_sum", "_count"].reduce(name) {
                $0.hasSuffix($1) && types[name] == nil ? String($0.dropLast($1.count)) : $0
            }
            guard let type = types[family] else {
                problems.append("sample without TYPE: \(line)")
                continue
            }
            if type == "counter" && !name.hasSuffix("_total") { problems.append("counter without _total: \(name)") }
            if name.hasSuffix("_bucket") {
                if value < (lastBucket[family] ?? 0) { problems.append("buckets not cumulative: \(line)") }
                lastBucket[family] = value
            }
        }
        return problems
    }
}

@Suite struct PrometheusTextTests {
    @Test func everyFamilyIsValid() {
        var metrics = MetricsSnapshot()
        metrics.dialAttempts = ["seed": 3, "direct": 1]
        metrics.dialFailures = ["connection_refused": ["direct": 2]]
        metrics.disconnects = ["ping_timeout": 1]
        metrics.pingRTT.observe(0.0003)
        metrics.pingRTT.observe(0.02)
        metrics.pingRTT.observe(9)
        let text = PrometheusText.render(metrics)
        #expect(ExpositionChecker.problems(in: text).isEmpty, "\(ExpositionChecker.problems(in: text))")
        #expect(text.contains("meshnode_dial_failures_total{reason=\"connection_refused\",source=\"direct\"} 2"))
        #expect(text.contains("meshnode_ping_rtt_seconds_bucket{le=\"0.0005\"} 1"))
        #expect(text.contains("meshnode_ping_rtt_seconds_bucket{le=\"+Inf\"} 3"))
        #expect(text.contains("meshnode_ping_rtt_seconds_count 3"))
    }

    @Test func checker_catchesBrokenText() {
        #expect(!ExpositionChecker.problems(in: "foo 1\n").isEmpty)
        #expect(!ExpositionChecker.problems(in: "# TYPE foo counter\nfoo 1\n").isEmpty)
    }
}
