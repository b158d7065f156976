import Glibc

/// The process's own resource use, as Prometheus's `process_*` metrics define it, read from
/// procfs. Reading costs a few file reads and a directory scan (tens of microseconds), so it
/// is done when `/metrics` is rendered, never on a per-frame path.
public struct ProcessStats: Sendable, Equatable {
    /// User plus system CPU time.
    public var cpuSeconds: Double
    /// Resident set size.
    public var residentBytes: Int
    /// Open file descriptors.
    public var openFileDescriptors: Int
    /// The soft limit on file descriptors (RLIMIT_NOFILE); nil when unlimited.
    public var maximumFileDescriptors: Int?
    /// When the process started, in seconds since the Unix epoch.
    public var startTimeSeconds: Double

    public init(
        cpuSeconds: Double, residentBytes: Int, openFileDescriptors: Int, maximumFileDescriptors: Int?,
        startTimeSeconds: Double
    ) {
        self.cpuSeconds = cpuSeconds
        self.residentBytes = residentBytes
        self.openFileDescriptors = openFileDescriptors
        self.maximumFileDescriptors = maximumFileDescriptors
        self.startTimeSeconds = startTimeSeconds
    }

    /// This process now; nil where procfs is not mounted or not readable.
    public static func current() -> ProcessStats? {
        // procfs files are small; the bounds only keep a strange mount from costing more.
        guard let stat = try? Posix.readFile("/proc/self/stat", maximumBytes: 4096),
            let system = try? Posix.readFile("/proc/stat", maximumBytes: 1 << 20),
            let bootTime = bootTime(procStat: system)
        else { return nil }
        let limits = (try? Posix.readFile("/proc/self/limits", maximumBytes: 16384)) ?? []
        return parse(
            selfStat: stat, bootTime: bootTime, ticksPerSecond: Int(sysconf(Int32(_SC_CLK_TCK))),
            pageSize: Int(sysconf(Int32(_SC_PAGESIZE))), openFileDescriptors: countOpenDescriptors() ?? 0,
            maximumFileDescriptors: openFilesLimit(limits: limits))
    }

    /// The stats in `/proc/self/stat`'s text (proc(5)): utime, stime and starttime in clock
    /// ticks, rss in pages. The command name in parentheses may hold spaces and ')', so the
    /// fields are counted from the last ')'.
    static func parse(
        selfStat: [UInt8], bootTime: Double, ticksPerSecond: Int, pageSize: Int, openFileDescriptors: Int,
        maximumFileDescriptors: Int?
    ) -> ProcessStats? {
        guard let close = selfStat.lastIndex(of: UInt8(ascii: ")")), ticksPerSecond > 0, pageSize > 0 else {
            return nil
        }
        // fields[0] is field 3 (state) of proc(5).
        let fields = selfStat[(close + 1)...].split(whereSeparator: { $0 == 0x20 || $0 == 0x0A })
        func field(_ number: Int) -> Int? {
            let index = number - 3
            guard index >= 0, index < fields.count else { return nil }
            return Int(String(decoding: fields[index], as: UTF8.self))
        }
        guard let user = field(14), let system = field(15), let start = field(22), let rss = field(24) else {
            return nil
        }
        let ticks = Double(ticksPerSecond)
        let resident = rss.multipliedReportingOverflow(by: pageSize)
        return ProcessStats(
            cpuSeconds: (Double(user) + Double(system)) / ticks,
            residentBytes: resident.overflow ? .max : resident.partialValue,
            openFileDescriptors: openFileDescriptors, maximumFileDescriptors: maximumFileDescriptors,
            startTimeSeconds: bootTime + Double(start) / ticks)
    }

    /// `btime` of `/proc/stat`: boot time in seconds since the epoch.
    static func bootTime(procStat: [UInt8]) -> Double? {
        for line in procStat.split(separator: 0x0A) where line.starts(with: "btime ".utf8) {
            return Double(String(decoding: line.dropFirst(6), as: UTF8.self).filter { $0 != " " })
        }
        return nil
    }

    /// The soft limit of "Max open files" in `/proc/self/limits`; nil if unlimited or absent.
    static func openFilesLimit(limits: [UInt8]) -> Int? {
        for line in limits.split(separator: 0x0A) where line.starts(with: "Max open files".utf8) {
            let columns = line.dropFirst("Max open files".utf8.count).split(separator: 0x20)
            return columns.first.flatMap { Int(String(decoding: $0, as: UTF8.self)) }
        }
        return nil
    }

    /// Entries of `/proc/self/fd`, not counting the descriptor used to list them.
    static func countOpenDescriptors() -> Int? {
        // The listing's own descriptor is one of the entries while it is read.
        Posix.directoryEntries("/proc/self/fd").map { max(0, $0.count - 1) }
    }
}
