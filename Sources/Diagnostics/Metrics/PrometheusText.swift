import Wire

/// Renders a MetricsSnapshot in the Prometheus text exposition format (version 0.0.4).
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition text. `process` defaults to this process's stats, read from procfs
    /// here, so they are read only when `/metrics` is scraped.
    public static func render(_ metrics: MetricsSnapshot, process: ProcessStats? = ProcessStats.current()) -> String {
        var out = ""
        family(&out, "meshnode_peers_connected", "gauge", "Peers with an established session, by direction.")
        for (direction, value) in metrics.peersConnected.sorted(by: { $0.key < $1.key }) {
            sample(&out, "meshnode_peers_connected", [("direction", direction)], Double(value))
        }
        family(&out, "meshnode_dial_attempts_total", "counter", "Dials started, by peer source.")
        for (source, value) in metrics.dialAttempts.sorted(by: { $0.key < $1.key }) {
            sample(&out, "meshnode_dial_attempts_total", [("source", source)], Double(value))
        }
        family(
            &out, "meshnode_dial_failures_total", "counter",
            "Dials that failed (TCP or handshake), by reason and source.")
        for (reason, sources) in metrics.dialFailures.sorted(by: { $0.key < $1.key }) {
            for (source, value) in sources.sorted(by: { $0.key < $1.key }) {
                sample(&out, "meshnode_dial_failures_total", [("reason", reason), ("source", source)], Double(value))
            }
        }
        family(&out, "meshnode_handshake_failures_total", "counter", "Handshakes that failed, by reason.")
        for (reason, value) in metrics.handshakeFailures.sorted(by: { $0.key < $1.key }) {
            sample(&out, "meshnode_handshake_failures_total", [("reason", reason)], Double(value))
        }
        family(
            &out, "meshnode_disconnects_total", "counter",
            "Sessions that ended, by reason and side (local: this node ended it; remote: the peer or the path).")
        for (reason, sides) in metrics.disconnects.sorted(by: { $0.key < $1.key }) {
            for (side, value) in sides.sorted(by: { $0.key < $1.key }) {
                sample(&out, "meshnode_disconnects_total", [("reason", reason), ("side", side)], Double(value))
            }
        }
        family(
            &out, "meshnode_funnel_total", "counter",
            "The maintainer's dials by stage, summed over ticks: candidates, skipped, dialed, tcp_ok, handshake_ok, "
                + "still_up_next_tick.")
        for stage in Funnel.stages {
            sample(&out, "meshnode_funnel_total", [("stage", stage)], Double(metrics.funnel[stage] ?? 0))
        }
        family(&out, "meshnode_ping_rtt_seconds", "histogram", "Ping round-trip times.")
        var cumulative = 0
        for (bound, count) in zip(metrics.pingRTT.bounds, metrics.pingRTT.counts) {
            cumulative += count
            sample(&out, "meshnode_ping_rtt_seconds_bucket", [("le", number(bound))], Double(cumulative))
        }
        sample(&out, "meshnode_ping_rtt_seconds_bucket", [("le", "+Inf")], Double(metrics.pingRTT.count))
        sample(&out, "meshnode_ping_rtt_seconds_sum", [], metrics.pingRTT.sum)
        sample(&out, "meshnode_ping_rtt_seconds_count", [], Double(metrics.pingRTT.count))
        histogram(
            &out, "meshnode_reactor_pass_seconds", "Reactor loop passes (events to the next wait, sleep excluded).",
            metrics.reactorPass)
        family(&out, "meshnode_budget_pauses_total", "counter", "Times a session stopped reading its peer, by budget.")
        for (budget, value) in metrics.budgetPauses.sorted(by: { $0.key < $1.key }) {
            sample(&out, "meshnode_budget_pauses_total", [("budget", budget)], Double(value))
        }
        family(&out, "meshnode_peer_book_entries", "gauge", "Known peers, by tier.")
        for (tier, value) in metrics.peerBookEntries.sorted(by: { $0.key < $1.key }) {
            sample(&out, "meshnode_peer_book_entries", [("tier", tier)], Double(value))
        }
        family(
            &out, "meshnode_file_write_failures_total", "counter",
            "Failed writes of the node's own files (the previous file is kept), by file.")
        for (file, value) in metrics.fileWriteFailures.sorted(by: { $0.key < $1.key }) {
            sample(&out, "meshnode_file_write_failures_total", [("file", file)], Double(value))
        }
        family(
            &out, "meshnode_log_events_total", "counter",
            "Log events an outsider can trigger (refusals, inbound handshake failures, ignored messages), "
                + "by event, whether written or suppressed.")
        for (event, value) in metrics.outsiderLogEvents.sorted(by: { $0.key < $1.key }) {
            sample(&out, "meshnode_log_events_total", [("event", event)], Double(value))
        }
        family(
            &out, "meshnode_log_suppressed_total", "counter",
            "Outsider log events not written (over the log budget; summarized as log.suppressed), by event.")
        for (event, value) in metrics.outsiderLogSuppressed.sorted(by: { $0.key < $1.key }) {
            sample(&out, "meshnode_log_suppressed_total", [("event", event)], Double(value))
        }
        for (name, help, value) in [
            ("meshnode_received_bytes_total", "Bytes received from peers.", metrics.bytesReceived),
            ("meshnode_sent_bytes_total", "Bytes sent to peers.", metrics.bytesSent),
            (
                "meshnode_bytes_received_total",
                "Deprecated, removed in the next release: use meshnode_received_bytes_total (same value).",
                metrics.bytesReceived
            ),
            (
                "meshnode_bytes_sent_total",
                "Deprecated, removed in the next release: use meshnode_sent_bytes_total (same value).",
                metrics.bytesSent
            ),
            ("meshnode_frames_received_total", "Frames received from peers.", metrics.framesReceived),
            ("meshnode_frames_sent_total", "Frames sent to peers.", metrics.framesSent),
            ("meshnode_payloads_received_total", "Payloads received from peers.", metrics.payloadsReceived),
            (
                "meshnode_payloads_received_bytes_total", "Bytes of the payloads received from peers.",
                metrics.payloadBytesReceived
            ),
            (
                "meshnode_getpeers_ignored_total", "GetPeers past a peer's answer budget (one per interval), ignored.",
                metrics.getPeersIgnored
            ),
            (
                "meshnode_addresses_rate_limited_total", "Learned addresses past a peer's token bucket, dropped.",
                metrics.addressesRateLimited
            ),
            (
                "meshnode_address_sample_refreshes_total", "GetPeers samples computed from the peer book.",
                metrics.addressSampleRefreshes
            ),
            ("meshnode_reactor_slow_passes_total", "Reactor loop passes over 100 ms.", metrics.reactorSlowPasses),
        ] {
            family(&out, name, "counter", help)
            sample(&out, name, [], Double(value))
        }
        family(&out, "meshnode_build_info", "gauge", "Always 1; the version running is its label.")
        sample(&out, "meshnode_build_info", [("version", metrics.buildVersion)], 1)
        if let process { render(process, into: &out) }
        return out
    }

    /// A histogram family: cumulative buckets, `+Inf`, sum and count.
    static func histogram(_ out: inout String, _ name: String, _ help: String, _ histogram: Histogram) {
        family(&out, name, "histogram", help)
        var cumulative = 0
        for (bound, count) in zip(histogram.bounds, histogram.counts) {
            cumulative += count
            sample(&out, name + "_bucket", [("le", number(bound))], Double(cumulative))
        }
        sample(&out, name + "_bucket", [("le", "+Inf")], Double(histogram.count))
        sample(&out, name + "_sum", [], histogram.sum)
        sample(&out, name + "_count", [], Double(histogram.count))
    }

    /// The `process_*` families, named and typed as Prometheus's client libraries export them.
    static func render(_ process: ProcessStats, into out: inout String) {
        family(&out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
        sample(&out, "process_cpu_seconds_total", [], process.cpuSeconds)
        family(&out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
        sample(&out, "process_resident_memory_bytes", [], Double(process.residentBytes))
        family(&out, "process_open_fds", "gauge", "Number of open file descriptors.")
        sample(&out, "process_open_fds", [], Double(process.openFileDescriptors))
        if let maximum = process.maximumFileDescriptors {
            family(&out, "process_max_fds", "gauge", "Maximum number of open file descriptors.")
            sample(&out, "process_max_fds", [], Double(maximum))
        }
        family(
            &out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
        sample(&out, "process_start_time_seconds", [], process.startTimeSeconds)
    }

    private static func family(_ out: inout String, _ name: String, _ type: String, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private static func sample(_ out: inout String, _ name: String, _ labels: [(String, String)], _ value: Double) {
        out += name
        if !labels.isEmpty {
            out += "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        out += " " + number(value) + "\n"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func escape(_ text: String) -> String {
        text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"").replacingAll("\n", with: "\\n")
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { result += character == target ? replacement : String(character) }
        return result
    }
}
