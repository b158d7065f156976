import Wire

/// Figures of this process from /proc.
enum ProcessStats {
    static func status(_ field: String) -> Double {
        guard let bytes = try? Posix.readFile("/proc/self/status") else { return 0 }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(field + ":") {
            return Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    /// Resident memory, KiB.
    static var rssKiB: Double { status("VmRSS") }
    static var threads: Int { Int(status("Threads")) }
    static var sockets: Int { Posix.describeOpenDescriptors().filter { $0.contains("socket:") }.count }

    /// User + system CPU seconds of this process.
    static var cpuSeconds: Double {
        guard let bytes = try? Posix.readFile("/proc/self/stat") else { return 0 }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: end)...].split(separator: " ")
        return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / 100
    }

    /// Established TCP connections between two addresses of `ips` (both ends in this process
    /// count once), and the pairs joined by more than one.
    static func tcpPairs(among ips: Set<IPAddress>) -> (connections: Int, duplicatePairs: Int) {
        guard let bytes = try? Posix.readFile("/proc/net/tcp") else { return (0, 0) }
        var pairs: [String: Int] = [:]
        var ends = 0
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] == "01" else { continue }
            func ip(_ field: Substring) -> IPAddress? {
                guard let hex = field.split(separator: ":").first, let raw = UInt32(hex, radix: 16) else { return nil }
                return .v4(raw.byteSwapped)
            }
            guard let local = ip(fields[1]), let remote = ip(fields[2]), ips.contains(local), ips.contains(remote)
            else { continue }
            ends += 1
            let key = local < remote ? "\(local)-\(remote)" : "\(remote)-\(local)"
            pairs[key, default: 0] += 1
        }
        // Each connection shows one line per end: a pair with 2 lines has one connection.
        return (ends / 2, pairs.values.filter { $0 > 2 }.count)
    }
}

func now() -> Double { Double(Reactor.now()) / 1e9 }
