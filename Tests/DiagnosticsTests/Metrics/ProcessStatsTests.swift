import Testing

@testable import Wire

@Suite struct ProcessStatsTests {
    /// proc(5)'s layout, with a command name holding a space and a ')' as a process may
    /// choose (prctl PR_SET_NAME): fields are counted from the last ')'.
    @Test func selfStat_fieldsAreCountedFromTheLastParenthesis() throws {
        let stat =
            "4242 (mesh) node) S 1 4242 4242 0 -1 4194560 1830 0 0 0 250 150 0 0 20 0 9 0 123400 "
            + "734003200 5120 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n"
        let stats = try #require(
            ProcessStats.parse(
                selfStat: Array(stat.utf8), bootTime: 1_700_000_000, ticksPerSecond: 100, pageSize: 4096,
                openFileDescriptors: 12, maximumFileDescriptors: 1024))
        #expect(stats.cpuSeconds == 4.0)  // (utime 250 + stime 150) / 100
        #expect(stats.residentBytes == 5120 * 4096)
        #expect(stats.startTimeSeconds == 1_700_000_000 + 1234)
        #expect(stats.openFileDescriptors == 12 && stats.maximumFileDescriptors == 1024)
    }

    @Test func truncatedSelfStat_isNil() {
        let stats = ProcessStats.parse(
            selfStat: Array("1 (x) S 1 2 3".utf8), bootTime: 0, ticksPerSecond: 100, pageSize: 4096,
            openFileDescriptors: 0, maximumFileDescriptors: nil)
        #expect(stats == nil)
    }

    @Test func bootTimeAndOpenFilesLimit_areReadFromTheirLines() {
        let procStat = "cpu  1 2 3\nintr 5\nbtime 1733011200\nprocesses 9\n"
        #expect(ProcessStats.bootTime(procStat: Array(procStat.utf8)) == 1_733_011_200)
        let limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max processes             63460                63460                processes
            Max open files            1024                 524288               files
            """
        #expect(ProcessStats.openFilesLimit(limits: Array(limits.utf8)) == 1024)
        let unlimited = "Max open files            unlimited            unlimited            files\n"
        #expect(ProcessStats.openFilesLimit(limits: Array(unlimited.utf8)) == nil)
    }

    @Test func currentProcess_isPlausible() throws {
        let stats = try #require(ProcessStats.current())
        let now = Double(Posix.wallClockNanoseconds()) / 1e9
        #expect(stats.startTimeSeconds <= now + 1 && stats.startTimeSeconds > now - 86_400)
        #expect(stats.cpuSeconds > 0)
        #expect(stats.residentBytes > 1 << 20)
        #expect(stats.openFileDescriptors >= 3)
        if let maximum = stats.maximumFileDescriptors { #expect(maximum >= stats.openFileDescriptors) }
    }

    @Test func boundedRead_stopsOneBytePastTheLimit_andReadsProcfs() throws {
        #expect(try Posix.readFile("/dev/zero", maximumBytes: 10_000)?.count == 10_001)
        #expect(try Posix.readFile("/dev/zero", maximumBytes: 0)?.count == 1)
        // procfs reports a size of 0; the content is read anyway.
        let stat = try #require(try Posix.readFile("/proc/self/stat", maximumBytes: 4096))
        #expect(stat.count > 50 && stat.count <= 4096)
        #expect(try Posix.readFile("/nonexistent/meshnode", maximumBytes: 10) == nil)
    }
}
