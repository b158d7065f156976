import Testing
import Wire

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
    static let process = ProcessStats(
        cpuSeconds: 1.25, residentBytes: 12_582_912, openFileDescriptors: 17, maximumFileDescriptors: 1024,
        startTimeSeconds: 1_733_011_200.5)

    @Test func everyFamilyIsValid() {
        var metrics = MetricsSnapshot()
        metrics.dialAttempts = ["seed": 3, "direct": 1]
        metrics.dialFailures = ["connection_refused": ["direct": 2]]
        metrics.disconnects = ["ping_timeout": ["local": 1]]
        metrics.pingRTT.observe(0.0003)
        metrics.pingRTT.observe(0.02)
        metrics.pingRTT.observe(9)
        let text = PrometheusText.render(metrics, process: Self.process)
        #expect(ExpositionChecker.problems(in: text).isEmpty, "\(ExpositionChecker.problems(in: text))")
        #expect(text.contains("meshnode_dial_failures_total{reason=\"connection_refused\",source=\"direct\"} 2"))
        #expect(text.contains("meshnode_ping_rtt_seconds_bucket{le=\"0.0005\"} 1"))
        #expect(text.contains("meshnode_ping_rtt_seconds_bucket{le=\"+Inf\"} 3"))
        #expect(text.contains("meshnode_ping_rtt_seconds_count 3"))
    }

    /// A counter whose series first appears at 1 shows no increase to `increase()`/`rate()`:
    /// Prometheus needs the 0 before it (the issue read 2.04 for 3 failures).
    @Test func declaredLabels_areExportedAtZeroBeforeTheFirstIncrement() {
        var metrics = MetricsSnapshot()
        metrics.disconnects = ["ping_timeout": ["local": 4]]
        metrics.declareLabels(
            sources: ["seed", "direct"], dialFailureReasons: ["timeout", "connection_refused"],
            handshakeFailureReasons: ["handshake_timeout"], disconnectReasons: ["ping_timeout", "slow_peer"])
        let text = PrometheusText.render(metrics, process: nil)
        for line in [
            "meshnode_dial_attempts_total{source=\"seed\"} 0", "meshnode_dial_attempts_total{source=\"direct\"} 0",
            "meshnode_dial_failures_total{reason=\"timeout\",source=\"seed\"} 0",
            "meshnode_dial_failures_total{reason=\"connection_refused\",source=\"direct\"} 0",
            "meshnode_handshake_failures_total{reason=\"handshake_timeout\"} 0",
            "meshnode_disconnects_total{reason=\"slow_peer\",side=\"local\"} 0",
            "meshnode_disconnects_total{reason=\"slow_peer\",side=\"remote\"} 0",
            "meshnode_disconnects_total{reason=\"ping_timeout\",side=\"local\"} 4",  // a value already there is kept
            "meshnode_disconnects_total{reason=\"ping_timeout\",side=\"remote\"} 0",
            "meshnode_funnel_total{stage=\"still_up_next_tick\"} 0", "meshnode_funnel_total{stage=\"dialed\"} 0",
        ] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing: \(line)")
        }
    }

    @Test func processMetrics_haveTheConventionalNamesAndTypes() {
        let text = PrometheusText.render(MetricsSnapshot(), process: Self.process)
        for line in [
            "# TYPE process_cpu_seconds_total counter", "process_cpu_seconds_total 1.25",
            "# TYPE process_resident_memory_bytes gauge", "process_resident_memory_bytes 12582912",
            "# TYPE process_open_fds gauge", "process_open_fds 17", "# TYPE process_max_fds gauge",
            "process_max_fds 1024",
            "# TYPE process_start_time_seconds gauge", "process_start_time_seconds 1733011200.5",
        ] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing: \(line)")
        }
        var unlimited = Self.process
        unlimited.maximumFileDescriptors = nil
        #expect(!PrometheusText.render(MetricsSnapshot(), process: unlimited).contains("process_max_fds"))
    }

    @Test func buildInfo_isOneWithTheVersionAsLabel() {
        let text = PrometheusText.render(MetricsSnapshot(), process: nil)
        #expect(
            text.contains("# TYPE meshnode_build_info gauge\nmeshnode_build_info{version=\"\(BuildInfo.version)\"} 1\n")
        )
    }

    /// Prometheus naming: the unit before `_total` (`..._received_bytes_total`); the old
    /// names stay one release with the same values, marked deprecated.
    @Test func byteCounters_conventionalNames_andDeprecatedAliases() {
        var metrics = MetricsSnapshot()
        metrics.bytesReceived = 1234
        metrics.bytesSent = 99
        let lines = PrometheusText.render(metrics, process: nil).split(separator: "\n")
        #expect(lines.contains("meshnode_received_bytes_total 1234"))
        #expect(lines.contains("meshnode_sent_bytes_total 99"))
        #expect(lines.contains("meshnode_bytes_received_total 1234"))
        #expect(lines.contains("meshnode_bytes_sent_total 99"))
        #expect(lines.contains { $0.hasPrefix("# HELP meshnode_bytes_received_total Deprecated") })
    }

    @Test func checker_catchesBrokenText() {
        #expect(!ExpositionChecker.problems(in: "foo 1\n").isEmpty)
        #expect(!ExpositionChecker.problems(in: "# TYPE foo counter\nfoo 1\n").isEmpty)
    }
}
