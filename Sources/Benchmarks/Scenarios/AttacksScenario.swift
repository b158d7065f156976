import Actors
import Wire

/// `attacks [--quick 1]`: issue #12's attacks against a real `meshnode` process (the binary
/// next to this one; build both with `-c release`), each with an honest in-process peer
/// beside it that pings the target every 50 ms. Per attack: the target's peak RSS and its
/// settled RSS 10 s (quick: 2 s) after the attackers are gone, both over a baseline taken just
/// before the attack once the target's memory holds still; the longest reactor pass during it (the
/// upper bound of the highest `meshnode_reactor_pass_seconds` bucket that grew), the honest
/// peer's RTT p99, and whether its session survived. The attackers are scripts/hostile_peer.py
/// processes (run from the repository root) and, for the connect flood, this process.
enum AttacksScenario {
    static let target = SocketAddress(ip: .v4(0x7F1E_0001), port: 7071)  // 127.30.0.1
    static let debug = SocketAddress(ip: .v4(0x7F1E_0001), port: 7070)
    static let honestAddress = SocketAddress(ip: .v4(0x7F1E_0002), port: 7071)

    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let quick = try options.int("quick", 0) != 0
        let floodBytes = quick ? 128 << 20 : 1 << 30
        let nonReading = quick ? 4 : 16
        let settleSeconds = quick ? 2.0 : 10.0
        let bookSize = try options.int("book", 10_000)
        guard let executable = ChildProcess.currentExecutable() else { throw BenchError("cannot find this executable") }
        let binary = String(executable[..<(executable.lastIndex(of: "/") ?? executable.endIndex)]) + "/meshnode"
        let script = "scripts/hostile_peer.py"
        guard (try? Posix.readFile(binary, maximumBytes: 1)) != nil else { throw BenchError("no \(binary)") }
        guard (try? Posix.readFile(script, maximumBytes: 1)) != nil else {
            throw BenchError("run from the repository root (no \(script))")
        }
        let directory = "/tmp/meshnode-attacks-\(ChildProcess.currentID)"
        try Posix.makeDirectories(directory)
        try plantBook(size: bookSize, in: directory)
        let node = try ChildProcess.spawn(
            binary,
            [
                "run", "--listen", target.description, "--debug-listen", debug.description, "--lan", "--tick", "5",
                "--min-outbound", "0", "--max-peers", "64", "--data-dir", directory, "--log-format", "json",
                "--ping-interval", "1", "--ping-timeout", "10",
            ], standardError: directory + "/node.log")
        defer { node.terminate() }
        guard await BenchNodes.waitUntil(timeout: 20, interval: 0.05, { await metrics() != nil }) != nil else {
            throw BenchError("the node did not answer on \(debug)")
        }
        var configuration = BenchNodes.configuration(honestAddress, tick: 5, outbound: 1, maxPeers: 4)
        configuration.directPeers = [target]
        configuration.pingInterval = .milliseconds(50)
        configuration.pingTimeout = .seconds(5)
        return try await BenchNodes.run([configuration]) { nodes in
            var report = BenchReport("attacks")
            report.set("book_entries", bookSize)
            let honest = nodes[0]
            let targetIP = PeerIP(target.ip)
            guard
                await BenchNodes.waitUntil(
                    timeout: 20, interval: 0.05, { await honest.manager.sessions[targetIP] != nil })
                    != nil
            else { throw BenchError("the honest peer did not connect") }
            await honest.manager.startRecordingRTT()
            let since = await honest.manager.sessions[targetIP]?.since
            let connected: @Sendable () async -> Bool = { await honest.manager.sessions[targetIP]?.since == since }
            let context = AttackContext(
                pid: node.pid, honest: honest, connected: connected, settleSeconds: settleSeconds,
                minimumWindow: quick ? 2 : 5, script: script)
            // The same figures with no attack: the target's own work (its maintainer tick plans
            // over the 10,000-entry book on the reactor) sets the floor under every attack's.
            try await context.measureIdle(seconds: quick ? 5 : 10, into: &report)
            try await context.measure("payload_flood", into: &report) {
                [["--scenario", "payload-flood", "--bytes", String(floodBytes), "--seconds", "60"]]
            }
            try await context.measure("non_reading", into: &report) {
                (0..<nonReading).map { _ in ["--scenario", "getpeers-no-read", "--seconds", quick ? "3" : "10"] }
                    + (0..<nonReading).map { _ in ["--scenario", "pings-no-read", "--seconds", quick ? "3" : "10"] }
            }
            try await context.measure("getpeers_flood", into: &report) {
                (0..<4).map { _ in ["--scenario", "getpeers-flood", "--seconds", quick ? "2" : "5"] }
            }
            try await context.measure("peer_list_flood", into: &report) {
                (0..<4).map { _ in ["--scenario", "peer-list-flood", "--seconds", quick ? "2" : "5"] }
            }
            let kept = try await context.measure("one_ip_150", into: &report, sameSource: true) {
                [["--scenario", "many-connections", "--count", "150", "--seconds", "2"]]
            }
            report.set("one_ip_150_connections_open", kept.first.flatMap { field($0, "connections_open") } ?? -1)
            let lines = try await context.connectFlood(seconds: quick ? 3 : 10, logPath: directory + "/node.log")
            report.set("connect_flood_connects", lines.connects)
            report.set("connect_flood_log_lines_per_s", lines.perSecond)
            report.set("connect_flood_steady_log_lines_per_s", lines.steady)
            report.set("honest_connected_at_end", await connected() ? 1 : 0)
            return report
        }
    }

    /// A peer book of up to `size` entries the target loads at start: 10.x addresses it never
    /// dials (`--min-outbound 0`), each once reached (so each may be shared). Spread over
    /// /16s, each its own source, since the address manager gives one source a bounded share.
    static func plantBook(size: Int, in directory: String) throws {
        var book = PeerBook()
        let now = Double(Posix.wallClockNanoseconds()) / 1e9
        for index in 0..<size {
            let address = SocketAddress(
                ip: .v4(0x0A00_0000 | UInt32(index / 64) << 16 | UInt32(index % 64 + 1)), port: 7071)
            book.add(address, source: .gossip, from: PeerIP(address.ip), now: now)
            book.recordSuccess(PeerIP(address.ip), now: now)
        }
        try PeerBookStore(dataDirectory: directory).save(book)
    }

    /// The target's `/metrics` text, or nil when it does not answer.
    static func metrics() async -> String? {
        guard let stream = try? await ByteStream.connect(to: debug, timeout: .seconds(2)) else { return nil }
        defer { Task { await stream.close() } }
        let request = "GET /metrics HTTP/1.1\r\nHost: \(debug)\r\nConnection: close\r\n\r\n"
        guard (try? await stream.write(Array(request.utf8))) != nil else { return nil }
        var bytes: [UInt8] = []
        while bytes.count < 4 << 20, let chunk = try? await stream.receive() { bytes += chunk }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.hasPrefix("HTTP/1.1 200") ? text : nil
    }

    /// `meshnode_reactor_pass_seconds_bucket` counts by upper bound (cumulative).
    static func passBuckets(_ text: String) -> [(Double, Double)] {
        let prefix = "meshnode_reactor_pass_seconds_bucket{le=\""
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(prefix) else { return nil }
            let rest = line.dropFirst(prefix.count)
            guard let quote = rest.firstIndex(of: "\"") else { return nil }
            let bound = rest[..<quote] == "+Inf" ? Double.infinity : Double(rest[..<quote]) ?? .infinity
            return (bound, Double(rest.split(separator: " ").last ?? "0") ?? 0)
        }
    }

    /// Passes longer than `milliseconds` between two readings (a bucket bound).
    static func passes(over milliseconds: Double, before: String, after: String) -> Int {
        func count(_ text: String) -> Double {
            let buckets = passBuckets(text)
            let total = buckets.last { $0.0 == .infinity }?.1 ?? 0
            let within = buckets.last { $0.0 <= milliseconds / 1000 + 1e-12 }?.1 ?? 0
            return total - within
        }
        return Int(count(after) - count(before))
    }

    /// The upper bound of the highest bucket that grew between two readings, ms.
    static func longestPass(before: String, after: String) -> Double {
        let old = Dictionary(passBuckets(before), uniquingKeysWith: { a, _ in a })
        var previousGrowth = 0.0
        var longest = 0.0
        for (bound, count) in passBuckets(after) {
            let growth = count - (old[bound] ?? 0)
            if growth > previousGrowth { longest = bound }
            previousGrowth = growth
        }
        return longest * 1000
    }

    /// An integer field of a JSON line (the scripts' output is flat).
    static func field(_ json: String, _ name: String) -> Int? {
        let key = Array("\"\(name)\": ".utf8)
        let bytes = Array(json.utf8)
        guard bytes.count >= key.count,
            let start = (0...(bytes.count - key.count)).first(where: { bytes[$0..<($0 + key.count)].elementsEqual(key) }
            )
        else { return nil }
        let digits = bytes[(start + key.count)...].prefix { (0x30...0x39).contains($0) || $0 == 0x2D }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}

/// What every attack measures against.
struct AttackContext: Sendable {
    let pid: Int32
    let honest: MeshNode
    let connected: @Sendable () async -> Bool
    let settleSeconds: Double
    /// The shortest window an attack's figures cover: the node cuts a GetPeers or PeerList
    /// flooder off within a second, so a window that ended with the attackers held about ten
    /// honest pings (its p99 was their maximum) and rarely a maintainer tick.
    let minimumWindow: Double
    let script: String

    /// The target's resident memory settled: the lowest of 20 samples over a second, so that
    /// a reading never lands on the target's own transient work (its book of 10,000 entries
    /// is saved every 5 s tick: about 12 MiB for half a second) rather than on what an attack
    /// left behind, which does not come and go.
    func settledResidentMiB(over seconds: Double = 1) async throws -> Double {
        var lowest = Double.infinity
        let started = now()
        repeat {
            lowest = min(lowest, residentMiB())
            try await Task.sleep(for: .milliseconds(50))
        } while now() - started < seconds
        return lowest
    }

    /// Waits until the target's settled memory holds still (two consecutive seconds within
    /// 1 MiB, at most 20 s), and returns it: the baseline of the next attack.
    func baselineMiB() async throws -> (mib: Double, waited: Double) {
        let started = now()
        var previous = try await settledResidentMiB()
        while now() - started < 20 {
            let current = try await settledResidentMiB()
            if abs(current - previous) <= 1 { return (current, now() - started) }
            previous = current
        }
        return (previous, now() - started)
    }

    func residentMiB() -> Double {
        guard let bytes = try? Posix.readFile("/proc/\(pid)/status") else { return 0 }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "0") ?? 0)
                / 1024
        }
        return 0
    }

    /// Runs the attackers (one hostile_peer.py each, from 127.30.B.x, or all from 127.30.B.1),
    /// samples the target meanwhile, and adds `<name>_*` to the report; returns their output.
    @discardableResult
    func measure(
        _ name: String, into report: inout BenchReport, sameSource: Bool = false,
        _ attackers: () -> [[String]]
    ) async throws -> [String] {
        // Each attack from IPs of its own (a quick reconnect from one IP is throttled).
        let block = 10 + Int(name.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0x7F })
        let (baseline, waited) = try await baselineMiB()
        let before = await AttacksScenario.metrics() ?? ""
        _ = await honest.manager.takeRTTSamples()
        let outputs = attackers().enumerated().map { index, _ in "/tmp/meshnode-attack-\(pid)-\(name)-\(index).json" }
        var children: [ChildProcess] = []
        for (index, arguments) in attackers().enumerated() {
            let source = sameSource ? "127.30.\(block).1" : "127.30.\(block).\(index + 10)"
            let command =
                (["python3", script, "--target", AttacksScenario.target.description, "--source", source] + arguments)
                .joined(separator: " ") + " > " + outputs[index]
            children.append(try ChildProcess.spawn("/bin/sh", ["-c", command]))
        }
        var peak = baseline
        var health = true
        let started = now()
        var gone: Double?  // when the last attacker ended
        while (children.contains(where: { $0.isRunning() }) || now() - started < minimumWindow) && now() - started < 120
        {
            if gone == nil && !children.contains(where: { $0.isRunning() }) { gone = now() }
            peak = max(peak, residentMiB())
            try await Task.sleep(for: .milliseconds(20))
        }
        for child in children { child.terminate() }
        let ended = gone ?? now()
        let rtts = await honest.manager.takeRTTSamples()
        let after = await AttacksScenario.metrics()
        if after == nil { health = false }
        // Memory back `settleSeconds` after the attackers are gone (the issue's claim).
        try await Task.sleep(for: .nanoseconds(Int64(max(0, settleSeconds - (now() - ended)) * 1e9)))
        let settled = try await settledResidentMiB()
        report.set("\(name)_baseline_mib", baseline)
        report.set("\(name)_baseline_wait_s", waited)
        report.set("\(name)_peak_over_baseline_mib", peak - baseline)
        report.set("\(name)_after_over_baseline_mib", settled - baseline)
        report.set("\(name)_max_pass_ms", AttacksScenario.longestPass(before: before, after: after ?? before))
        report.set("\(name)_passes_over_5ms", AttacksScenario.passes(over: 5, before: before, after: after ?? before))
        report.set("\(name)_honest_rtt_p99_ms", percentile(rtts, 0.99) * 1000)
        report.set("\(name)_honest_rtt_samples", rtts.count)
        report.set("\(name)_honest_connected", await connected() ? 1 : 0)
        report.set("\(name)_honest_ping_timeouts", await honest.manager.totals.disconnects[.pingTimeout] ?? 0)
        report.set("\(name)_metrics_answered", health ? 1 : 0)
        progress("attacks: \(name) done (peak +\(Int(peak - baseline)) MiB, \(Int(now() - started)) s)")
        return outputs.map { path in
            (try? Posix.readFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    /// The longest pass, the passes over 5 ms and the honest RTT p99 over `seconds` with no
    /// attack (`idle_*`).
    func measureIdle(seconds: Double, into report: inout BenchReport) async throws {
        let before = await AttacksScenario.metrics() ?? ""
        _ = await honest.manager.takeRTTSamples()
        try await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9)))
        let rtts = await honest.manager.takeRTTSamples()
        let after = await AttacksScenario.metrics() ?? before
        report.set("idle_seconds", seconds)
        report.set("idle_max_pass_ms", AttacksScenario.longestPass(before: before, after: after))
        report.set("idle_passes_over_5ms", AttacksScenario.passes(over: 5, before: before, after: after))
        report.set("idle_honest_rtt_p99_ms", percentile(rtts, 0.99) * 1000)
    }

    /// Connects and hangs up from one IP as fast as possible for `seconds`; counts the
    /// target's log lines meanwhile (the log budget's figure).
    /// The flood's log lines per second over its whole length (the budget's saved-up burst
    /// included), and in its second half only (`steady`: the bursts are spent by then).
    func connectFlood(seconds: Double, logPath: String) async throws -> (
        connects: Int, perSecond: Double, steady: Double
    ) {
        // The node's own work goes on meanwhile (its cycles, its dials into the planted book,
        // each a line): those lines are not the flood's, and are not counted.
        func lines() -> Int {
            let text = String(decoding: (try? Posix.readFile(logPath)) ?? [], as: UTF8.self)
            return text.split(separator: "\n").count { line in
                !line.contains(#""event":"dial.failed""#) && !line.contains(#""event":"maintainer.cycle""#)
            }
        }
        let before = lines()
        let started = now()
        let halfway = Task {
            try? await Task.sleep(for: .seconds(seconds / 2))
            return (lines(), now())
        }
        let source = IPAddress.v4(0x7F1E_0301)  // 127.30.3.1
        let connects = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var made = 0
                    while now() - started < seconds {
                        guard
                            let connection = try? await Connection.connect(
                                to: AttacksScenario.target, from: source, timeout: .seconds(2))
                        else { continue }
                        made += 1
                        await connection.close()
                    }
                    return made
                }
            }
            return await group.reduce(0, +)
        }
        // Lines the flood caused, summaries included, written within a second of its end.
        try await Task.sleep(for: .seconds(1))
        let elapsed = now() - started
        let (middle, middleAt) = await halfway.value
        let total = lines()
        let steady = Double(max(0, total - middle)) / max(0.001, now() - middleAt)
        return (connects, Double(max(0, total - before)) / elapsed, steady)
    }
}
