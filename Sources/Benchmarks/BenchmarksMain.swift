import Wire

/// `Benchmarks <scenario> [options]`: see docs/benchmarks.md.
@main
enum BenchmarksMain {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let scenario = arguments.first else {
            printUsage()
            Posix.exitImmediately(2)
        }
        arguments.removeFirst()
        switch scenario {
        case "echo-server":
            await runEchoServer(arguments)
        case "--check":
            let status = await Task(executorPreference: Reactor.shared) { await Check.run(arguments) }.value
            Posix.exitImmediately(status)
        case let name where Scenario(rawValue: name) != nil:
            let scenario = Scenario(rawValue: name)!
            Posix.ignoreBrokenPipe()
            Posix.tuneAllocatorForBuffers()
            let status = await Task(executorPreference: Reactor.shared) { () -> Int32 in
                do {
                    let report = try await scenario.run(arguments)
                    // The namespace's inside reports through a file; its parent prints the figures.
                    if scenario != .eclipseInner { report.emit() }
                    return 0
                } catch let skipped as BenchSkipped {
                    Posix.writeLine(Posix.standardError, "Benchmarks \(name): skipped: \(skipped)")
                    return BenchSkipped.status
                } catch {
                    Posix.writeLine(Posix.standardError, "Benchmarks \(name): \(error)")
                    return 2
                }
            }.value
            Posix.exitImmediately(status)
        case "-h", "--help", "help":
            printUsage()
        default:
            print("Benchmarks: unknown scenario '\(scenario)'")
            printUsage()
            Posix.exitImmediately(2)
        }
    }

    static func printUsage() {
        print(
            """
            usage: Benchmarks <scenario> [options]
              echo-server --host H --port P [--max-frame BYTES]   framed echo for ../shared/bench
              mesh --nodes N --outbound K --tick T                 (100, 8, 0.5)
              dial-storm --nodes N                                 (32)
              broadcast --peers P --messages M --size S            (100, 10000, 256)
              ping --peers P                                       (100)
              churn --nodes N --restart-every S --duration D       (50, 0.2, 30)
              connections --count C                                (10000)
              attacks [--quick 1] [--book N]                       issue #12's attacks on a meshnode process
              eclipse [--quick 1] [--trials T] [--honest N]        issue #13's eclipse attack (root: a netns)
              --check Benchmarks/thresholds.json                   quick variants against thresholds
            Each scenario prints one JSON line on stdout and a table on stderr (docs/benchmarks.md).
            """)
    }

    static func runEchoServer(_ arguments: [String]) async {
        var host = IPAddress.v4(0x7F00_0001)
        var port: UInt16 = 0
        var maximum = Frame.benchmarkMaximumSize
        var index = 0
        while index < arguments.count {
            let flag = arguments[index]
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch flag {
            case "--host":
                guard let parsed = IPAddress(parsing: value) else { fail("--host needs a numeric IP, got '\(value)'") }
                host = parsed
            case "--port":
                guard let parsed = UInt16(value) else { fail("--port needs 0-65535, got '\(value)'") }
                port = parsed
            case "--max-frame":
                guard let parsed = Int(value), parsed >= 0 else { fail("--max-frame needs a byte count") }
                maximum = parsed
            default:
                fail("echo-server: unknown option '\(flag)'")
            }
            index += 2
        }
        Posix.ignoreBrokenPipe()
        Posix.tuneAllocatorForBuffers()
        let server = EchoServer(host: host, port: port, maximumFrameSize: maximum)
        do {
            try await server.run()
        } catch {
            print("echo-server: \(error)")
            Posix.exitImmediately(1)
        }
    }

    static func fail(_ message: String) -> Never {
        print("Benchmarks: \(message)")
        Posix.exitImmediately(2)
    }
}
