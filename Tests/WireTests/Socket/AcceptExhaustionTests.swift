import Foundation
import TestSupport
import Testing

@testable import Wire

extension IOSuite {
    /// EMFILE on accept, for real: the echo server runs under `prlimit --nofile=N` and is
    /// offered more connections than it has descriptors.
    @Suite struct AcceptExhaustionTests {
        static var echoServer: URL? {
            let candidates = [
                Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("Benchmarks"),
                Bundle.main.bundleURL.appendingPathComponent("Benchmarks"),
            ]
            return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        }

        @Test(.enabled(if: echoServer != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")))
        func exhaustedDescriptors_doNotSpinAndAcceptingResumes() async throws {
            // The child process's pipes are descriptors too: hold the lock for all of it.
            try await ExclusiveIO.shared.run { try await scenario() }
        }

        func scenario() async throws {
            let descriptorsBefore = ownDescriptorCount()
            try await runServerScenario()
            // Foundation closes the child's bookkeeping descriptors asynchronously after it
            // exits; wait for that while still holding the lock, so no other test sees it.
            for _ in 0..<100 where ownDescriptorCount() != descriptorsBefore {
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        func runServerScenario() async throws {
            let port = UInt16.random(in: 30_000...40_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            process.arguments = [
                "--nofile=24", Self.echoServer!.path, "echo-server", "--host", "127.0.0.4", "--port", String(port),
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            defer {
                // SIGKILL and a bounded wait: a server starved of descriptors may not manage a
                // graceful exit, and `waitUntilExit()` has been seen to hang in that state.
                kill(process.processIdentifier, SIGKILL)
                let deadline = ContinuousClock.now + .seconds(5)
                while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
                try? output.fileHandleForReading.close()
            }
            _ = output.fileHandleForReading.availableData  // "ready"
            let server = SocketAddress(ip: IPAddress(parsing: "127.0.0.4")!, port: port)
            try await withTestReactorExclusively(timeout: .seconds(30)) { reactor in
                var clients: [Connection] = []
                for _ in 0..<40 {
                    clients.append(try await Connection.connect(to: server, timeout: .seconds(2), reactor: reactor))
                }
                // The server is out of descriptors with connections still queued: it must sleep.
                let cpuBefore = Self.cpuSeconds(pid: process.processIdentifier)
                try await reactor.sleep(for: .seconds(1))
                let cpuUsed = Self.cpuSeconds(pid: process.processIdentifier) - cpuBefore
                #expect(cpuUsed < 0.2, "server used \(cpuUsed) s of CPU in 1 s while out of descriptors")
                // Free descriptors: the server resumes accepting, and the last client is served.
                for client in clients.prefix(30) { await client.close() }
                let last = clients.last!
                try await last.send(frame: [1, 2, 3])
                #expect(try await last.readBodies(count: 1) == [[1, 2, 3]])
                for client in clients.suffix(10) { await client.close() }
            }
            #expect(process.isRunning)
        }

        static func cpuSeconds(pid: Int32) -> Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { return 0 }
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
            let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
            return ticks / 100
        }
    }
}
