import Foundation
import TestSupport
import Testing

@testable import Diagnostics
@testable import Wire

/// The debug endpoint's HTTP server over stand-in node data, on 127.0.66.1 (an ephemeral
/// port), for the length of `body`; checks that no descriptor is left open.
enum DebugEndpointFixture {
    static let cookie = "c0ffee"
    static let serverIP = IPAddress(parsing: "127.0.66.1")!

    /// `tools`: the body runs curl or python3; Foundation closes a finished process's pipes
    /// when it gets to it, so descriptors are then waited for but not counted strictly.
    static func with<T: Sendable>(
        tools: Bool = false, _ adjust: @escaping @Sendable (inout HTTPServer) -> Void = { _ in },
        _ body: @escaping @Sendable (SocketAddress) async throws -> T
    ) async throws -> T {
        try await ExclusiveIO.shared.run {
            _ = Reactor.shared  // the clients' reactor: started once per process, never stopped
            let before = Posix.describeOpenDescriptors().count
            let result = try await Reactor.withReactor(name: "http-test") { reactor in
                let listener = try ByteListener(bindingTo: SocketAddress(ip: serverIP, port: 0), reactor: reactor)
                let routes = DebugRoutes(
                    source: StandInSource(), control: StandInControl(),
                    access: DebugAccess(cookie: Array(cookie.utf8)))
                var server = HTTPServer(listener: listener) { await routes.handle($0) }
                adjust(&server)
                let configured = server
                return try await withThrowingTaskGroup(of: T?.self) { group in
                    group.addTask(executorPreference: reactor) {
                        await configured.run()
                        return nil
                    }
                    group.addTask(executorPreference: reactor) {
                        do {
                            let result = try await body(listener.localAddress)
                            await listener.close()
                            return result
                        } catch {
                            await listener.close()
                            throw error
                        }
                    }
                    var result: T?
                    while let next = try await group.next() { result = next ?? result }
                    return result!
                }
            }
            for _ in 0..<(tools ? 0 : 100) where Posix.describeOpenDescriptors().count > before {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(ByteStream.liveCount == 0, "byte streams alive: \(ByteStream.liveCount)")
            if !tools {
                #expect(
                    Posix.describeOpenDescriptors().count <= before, "left open: \(Posix.describeOpenDescriptors())")
            }
            return result
        }
    }

    /// `Host: 127.0.66.1:PORT` and the rest of a plain GET.
    static func get(_ path: String, _ address: SocketAddress, extra: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: \(address)\r\n\(extra)\r\n"
    }
}

struct StandInSource: DebugDataSource {
    func debugSnapshot() async -> DebugSnapshot { DebugSnapshot() }
    func connectNow(_ address: String) async -> Result<Void, ConnectRefusal> { .success(()) }
}

struct StandInControl: DebugControl {
    func connect(_ address: String, persist: Bool) async -> Result<Void, ConnectRefusal> { .success(()) }
    func disconnect(ip: String) async -> Result<Void, ControlError> { .success(()) }
    func ban(ip: String, seconds: Int) async -> Result<BanEntry, ControlError> {
        .success(BanEntry(ip: ip, bannedUntilUnix: seconds, reason: "operator_ban"))
    }
    func unban(ip: String) async -> Result<Void, ControlError> { .success(()) }
    func bans() async -> [BanEntry] { [] }
    func settings() async -> [ConfigSetting] { [] }
}
