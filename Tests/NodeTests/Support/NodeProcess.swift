import Foundation
import TestSupport
import Testing

@testable import Node
@testable import Wire

/// The real `meshnode` binary, run as a child process.
final class NodeProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is started in init and only read afterwards (Process is
    // internally synchronized); the log path is immutable.
    let process = Process()
    let logPath: String

    static var binary: URL? {
        let directory = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [
            directory.appendingPathComponent("meshnode"), Bundle.main.bundleURL.appendingPathComponent("meshnode"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Starts the binary with `arguments`; with a `wrapper` (e.g. `["/usr/bin/strace", …]`)
    /// the wrapper runs it, and `nodeID` is the binary's own process under the wrapper.
    init(_ arguments: [String], environment: [String: String] = [:], wrapper: [String] = []) throws {
        logPath = NSTemporaryDirectory() + "meshnode-log-\(UInt32.random(in: 0...UInt32.max))"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let binary = Self.binary else { throw CocoaError(.fileNoSuchFile) }
        if let command = wrapper.first {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = Array(wrapper.dropFirst()) + [binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Runs to completion; returns the exit status and what it printed on stderr.
    static func runToEnd(_ arguments: [String], timeout: Duration = .seconds(10)) async throws -> (Int32, String) {
        let node = try NodeProcess(arguments)
        let deadline = ContinuousClock.now + timeout
        while node.process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        node.stop(removingLog: false)
        let log = node.log
        let status = node.process.isRunning ? -1 : node.process.terminationStatus
        try? FileManager.default.removeItem(atPath: node.logPath)
        return (status, log)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then wait for exit (SIGKILL after 5 s). Waits are bounded: Foundation's
    /// `waitUntilExit()` has been seen to hang in a busy test process.
    func stop(removingLog: Bool = true) {
        // Under a wrapper, stop the node itself; the wrapper exits with it.
        if process.isRunning, let child = wrappedChild { kill(child, SIGTERM) }
        if process.isRunning { process.terminate() }
        var deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if removingLog { try? FileManager.default.removeItem(atPath: logPath) }
    }
}

/// Runs `body` holding the process-wide I/O lock (child processes open pipes in this
/// process), then waits for Foundation to close them.
func withChildProcesses<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    try await ExclusiveIO.shared.run {
        let before = Posix.describeOpenDescriptors().count
        let result = try await body()
        for _ in 0..<100 where Posix.describeOpenDescriptors().count > before {
            try await Task.sleep(for: .milliseconds(20))
        }
        return result
    }
}

/// One HTTP request over a fresh connection; returns (status, body). A POST carries a JSON
/// body and, given `cookie` (a data dir's `.cookie`), the Bearer token.
func http(
    _ address: SocketAddress, _ path: String, method: String = "GET", body: String = "", cookie: String? = nil
) async throws -> (Int, [UInt8]) {
    let stream = try await ByteStream.connect(to: address, timeout: .seconds(5))
    var request = "\(method) \(path) HTTP/1.1\r\nHost: \(address)\r\nConnection: close\r\n"
    if method == "POST" { request += "Content-Type: application/json\r\n" }
    if let cookie { request += "Authorization: Bearer \(cookie)\r\n" }
    request += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    try await stream.write(Array(request.utf8))
    var response: [UInt8] = []
    await stream.setDeadline(at: Reactor.now() &+ Duration.seconds(10).nanoseconds)
    while let bytes = try await stream.receive() { response += bytes }
    await stream.close()
    let split = try #require(HTTPSplit(response))
    return (split.status, split.body)
}

func jsonObject(_ bytes: [UInt8]) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
}

/// Polls until `condition` holds (or the time is up).
func waitFor(_ timeout: Duration = .seconds(10), _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return await condition()
}

func address(_ text: String) -> SocketAddress { try! SocketAddress(parsing: text) }

/// The debug cookie a node wrote into `dataDirectory` (nil until it has).
func cookie(in dataDirectory: String) -> String? {
    guard let bytes = try? Posix.readFile(dataDirectory + "/.cookie"), !bytes.isEmpty else { return nil }
    return String(decoding: bytes, as: UTF8.self)
}
