import Foundation
import TestSupport
import Testing

@testable import Diagnostics
@testable import Wire

/// A client that writes exactly the bytes it is given (what real clients refuse to send)
/// and reads responses as they come, with a bound on every wait.
struct RawHTTPClient {
    let stream: ByteStream
    var buffer: [UInt8] = []

    static func open(_ address: SocketAddress, from source: IPAddress? = nil) async throws -> RawHTTPClient {
        RawHTTPClient(stream: try await ByteStream.connect(to: address, from: source, timeout: .seconds(5)))
    }

    func send(_ text: String) async throws {
        try await stream.write(Array(text.utf8))
    }

    func send(bytes: [UInt8]) async throws {
        try await stream.write(bytes)
    }

    /// The next response (an interim 1xx too); nil if the server closed first. `bodyless`
    /// for the answer to HEAD.
    mutating func response(bodyless: Bool = false, within bound: Duration = .seconds(5)) async throws
        -> RawResponse?
    {
        await stream.setDeadline(at: Reactor.now() &+ bound.nanoseconds)
        let response = try await nextResponse(bodyless: bodyless)
        await stream.setDeadline(at: nil)
        return response
    }

    private mutating func nextResponse(bodyless: Bool) async throws -> RawResponse? {
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffer) {
                var response = RawResponse(head: String(decoding: buffer[..<end], as: UTF8.self))
                let length =
                    bodyless || response.status < 200 ? 0 : Int(response.header("content-length") ?? "0") ?? 0
                if buffer.count >= end + 4 + length {
                    response.body = Array(buffer[(end + 4)..<(end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    return response
                }
            }
            guard let bytes = try await stream.receive() else { return nil }
            buffer += bytes
        }
    }

    /// True if the server closes the connection within `bound` (what it sends meanwhile is
    /// kept in the buffer).
    mutating func closedByServer(within bound: Duration) async -> Bool {
        await stream.setDeadline(at: Reactor.now() &+ bound.nanoseconds)
        while true {
            do {
                guard let bytes = try await stream.receive() else { return true }
                buffer += bytes
            } catch {
                return error == .syscall(SyscallError("recv", errno: 104))  // a reset is a close too
            }
        }
    }

    func close() async {
        await stream.close()
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

struct RawResponse {
    var status = 0
    var headers: [(String, String)] = []
    var body: [UInt8] = []

    init(head: String) {
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        status = statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0 == name.lowercased() }?.1
    }
}

/// Runs a tool (curl, python3) to its end, bounded; returns its exit status and stdout.
func runTool(_ arguments: [String], timeout: Duration = .seconds(20)) async throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = NSTemporaryDirectory() + "meshnode-tool-\(UInt32.random(in: 0...UInt32.max))"
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: output) }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    process.standardError = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    if process.isRunning {
        process.terminate()
        return (-1, "")
    }
    return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
}

/// True if `tool` is installed.
func hasTool(_ tool: String) -> Bool {
    ["/usr/bin/", "/bin/", "/usr/local/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + tool) }
        || (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
}
