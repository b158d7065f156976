import Foundation
import Testing

@testable import Node
@testable import Wire

/// `meshnode status --watch` into a file (not a terminal): one screen per interval, each
/// followed by a blank line, no terminal escapes; a node that does not answer is shown, not
/// fatal; Ctrl-C (SIGINT) ends it with status 0.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct StatusWatchBinaryTests {
    /// The screens written to `path` so far: each starts with its title line and ends with a
    /// blank line.
    static func screens(_ path: String) -> [Substring] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "meshnode status (").filter { $0.hasSuffix("\n\n") }
    }

    @Test func watchIntoAFile_printsScreensUntilSIGINT() async throws {
        try await withChildProcesses {
            let output = NSTemporaryDirectory() + "meshnode-watch-\(UInt32.random(in: 0...UInt32.max))"
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            defer { try? FileManager.default.removeItem(atPath: output) }
            let process = Process()
            process.executableURL = NodeProcess.binary!
            process.arguments = ["status", "--watch", "--interval", "0.1", "--debug-url", "http://127.0.69.1:7070"]
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardOutput = handle
            process.standardError = FileHandle.nullDevice
            try process.run()
            let pid = process.processIdentifier
            #expect(await waitFor { Self.screens(output).count >= 3 }, "\(Self.screens(output))")
            #expect(process.isRunning)
            kill(pid, SIGINT)
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { kill(pid, SIGKILL) }
            #expect(!process.isRunning && process.terminationStatus == 0)
            try handle.close()
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(!text.contains("\u{1B}"))
            #expect(Self.screens(output).allSatisfy { $0.contains("connection_refused") }, "\(text.prefix(400))")
        }
    }
}
