import Foundation
import TestSupport
import Testing

@testable import Actors
@testable import Diagnostics
@testable import Wire

/// Integration tests that start nodes: serialized, so descriptor counts and timing hold.
@Suite(.serialized) enum MeshSuite {}

/// A node address in this test's own 127.0.<subnet>.0/24, port 7071.
func testAddress(_ subnet: Int, _ host: Int, port: UInt16 = 7071) -> SocketAddress {
    SocketAddress(ip: .v4(0x7F00_0000 | UInt32(subnet) << 8 | UInt32(host)), port: port)
}

/// A configuration for tests: loopback allowed, fast ticks and liveness, no persistence.
func testConfiguration(_ address: SocketAddress, _ adjust: (inout NodeConfiguration) -> Void = { _ in })
    -> NodeConfiguration
{
    var configuration = NodeConfiguration()
    configuration.listen = address
    configuration.lan = true
    configuration.tick = .milliseconds(200)
    configuration.dialTimeout = .seconds(2)
    configuration.handshakeTimeout = .seconds(2)
    configuration.pingInterval = .seconds(5)
    configuration.pingTimeout = .seconds(10)
    configuration.cooldownBase = .milliseconds(500)
    configuration.minimumOutbound = 8
    configuration.maximumPeers = 32
    adjust(&configuration)
    return configuration
}

/// Starts one node per configuration (each in its own task), runs `body`, shuts every node
/// down, and checks that no socket was left open.
func withNodes<T: Sendable>(
    _ configurations: [NodeConfiguration], persist: Bool = false, timeout: Duration = .seconds(30),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: @escaping @Sendable ([MeshNode]) async throws -> T
) async throws -> T {
    try await ExclusiveIO.shared.run {
        try await withNodesExclusively(
            configurations, persist: persist, timeout: timeout, sourceLocation: sourceLocation, body)
    }
}

private func withNodesExclusively<T: Sendable>(
    _ configurations: [NodeConfiguration], persist: Bool, timeout: Duration, sourceLocation: SourceLocation,
    _ body: @escaping @Sendable ([MeshNode]) async throws -> T
) async throws -> T {
    let before = openSocketCount()
    // A persisting node without a data directory gets a fresh one (never ./meshnode_data_*).
    var scratch: [String] = []
    let configurations = configurations.map { configuration in
        guard persist && configuration.dataDirectory == nil else { return configuration }
        var configuration = configuration
        configuration.dataDirectory = NSTemporaryDirectory() + "meshnode-node-\(UInt32.random(in: 0...UInt32.max))"
        scratch.append(configuration.dataDirectory!)
        return configuration
    }
    defer { for path in scratch { try? FileManager.default.removeItem(atPath: path) } }
    let nodes = try configurations.map { try MeshNode(configuration: $0, logger: testLogger, persist: persist) }
    let result = try await withThrowingTaskGroup(of: T?.self) { group in
        for node in nodes {
            group.addTask {
                await node.run(); return nil
            }
        }
        group.addTask(executorPreference: Reactor.shared) {
            defer { Task { for node in nodes { await node.shutdown() } } }
            return try await withThrowingTaskGroup(of: T?.self) { inner in
                inner.addTask { try await body(nodes) }
                inner.addTask {
                    try await Task.sleep(for: timeout)
                    throw TestTimeout()
                }
                defer { inner.cancelAll() }
                return try await inner.next()!
            }
        }
        var value: T?
        do {
            while let next = try await group.next() {
                if let next { value = next }
                if value != nil { break }
            }
        } catch {
            for node in nodes { await node.shutdown() }
            throw error
        }
        let start = ContinuousClock.now
        for node in nodes { await node.shutdown() }
        #expect(
            ContinuousClock.now - start < .seconds(2), "shutdown took longer than 2 s", sourceLocation: sourceLocation)
        try await group.waitForAll()
        return value!
    }
    // Lingering closes finish on the reactor shortly after shutdown returns.
    // A leak shows as more sockets; fewer can happen when Foundation closes the socketpair of
    // an earlier test's `Process` after that test ended.
    var after = openSocketCount()
    for _ in 0..<40 where after > before {
        try await Task.sleep(for: .milliseconds(50))
        after = openSocketCount()
    }
    #expect(after <= before, "sockets open before: \(before), after: \(after)", sourceLocation: sourceLocation)
    return result
}

let testLogger: Logger = {
    if ProcessInfo.processInfo.environment["MESHNODE_TEST_LOG"] != nil {
        return Logger(minimumLevel: .debug, format: .text)
    }
    return .silent
}()

struct TestTimeout: Error {}

/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

func openSocketCount() -> Int {
    Posix.describeOpenDescriptors().filter { $0.contains("socket:") }.count
}

/// Established TCP connections between two addresses of `ips`, counted from the kernel's
/// table (each connection appears once per end; both ends are in this process).
func establishedConnections(among ips: Set<IPAddress>) -> Int {
    // Read to EOF: /proc files report size 0, and Foundation's reader stops at one page.
    guard let bytes = try? Posix.readFile("/proc/net/tcp") else { return -1 }
    let table = String(decoding: bytes, as: UTF8.self)
    var ends = 0
    for line in table.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        guard fields.count > 3, fields[3] == "01" else { continue }
        func ip(_ field: Substring) -> IPAddress? {
            guard let hex = field.split(separator: ":").first, let raw = UInt32(hex, radix: 16) else { return nil }
            return .v4(raw.byteSwapped)
        }
        if let local = ip(fields[1]), let remote = ip(fields[2]), ips.contains(local), ips.contains(remote) {
            ends += 1
        }
    }
    return ends / 2
}

extension MeshNode {
    /// The directions of this node's sessions, by peer IP.
    func sessionDirections() async -> [PeerIP: Direction] {
        await manager.sessions.mapValues(\.direction)
    }
}
