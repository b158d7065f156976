import TestSupport
import Testing

@testable import Wire

/// Every test that opens descriptors lives under this suite: serialized, so that counting
/// the process's open descriptors before and after a test is exact.
@Suite(.serialized) enum IOSuite {}

struct TestTimeout: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "test did not finish within \(seconds) s" }
}

/// Runs `body` on a fresh reactor in a task that prefers it, fails after `timeout`, then
/// stops the reactor and checks that no descriptor was left open.
func withTestReactor<T: Sendable>(
    timeout: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation,
    _ body: @escaping @Sendable (Reactor) async throws -> T
) async throws -> T {
    try await ExclusiveIO.shared.run {
        try await withTestReactorExclusively(timeout: timeout, sourceLocation: sourceLocation, body)
    }
}

/// `withTestReactor` for a caller that already holds `ExclusiveIO`.
func withTestReactorExclusively<T: Sendable>(
    timeout: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation,
    _ body: @escaping @Sendable (Reactor) async throws -> T
) async throws -> T {
    let before = ownDescriptorCount()
    let result = try await Reactor.withReactor(name: "test-reactor") { reactor in
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask(executorPreference: reactor) { try await body(reactor) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TestTimeout(seconds: Double(timeout.components.seconds))
            }
            defer { group.cancelAll() }
            return try await group.next()!!
        }
    }
    // A leak shows as more. Fewer happens when something an earlier test left behind closes
    // meanwhile (Foundation closes the socketpair of a finished `Process` when it gets to it;
    // seen under TSan: 28 before, 22 after a 22 s test), as `withNodes` allows too.
    let after = ownDescriptorCount()
    #expect(after <= before, "descriptors open before: \(before), after: \(after)", sourceLocation: sourceLocation)
    return result
}

let serverIP = IPAddress(parsing: "127.0.0.2")!
let clientIP = IPAddress(parsing: "127.0.0.3")!

/// A listener on 127.0.0.2 (ephemeral port) and one connection to it from 127.0.0.3.
func makePair(
    on reactor: Reactor, options: Connection.Options = Connection.Options()
) async throws -> (listener: Listener, server: Connection, client: Connection) {
    let listener = try Listener(
        bindingTo: SocketAddress(ip: serverIP, port: 0), reactor: reactor, connectionOptions: options)
    let client = try await Connection.connect(
        to: listener.localAddress, from: clientIP, timeout: .seconds(2), reactor: reactor, options: options)
    guard let server = try await listener.accept() else { throw TestTimeout(seconds: 0) }
    return (listener, server, client)
}

/// Open descriptors of the kinds Wire creates (sockets, epoll, eventfd). Files and
/// directories other tests open meanwhile, and the timerfd Dispatch opens lazily, are not
/// ours to count.
func ownDescriptorCount() -> Int {
    Posix.describeOpenDescriptors().filter {
        $0.contains("socket:") || $0.hasSuffix("[eventpoll]") || $0.hasSuffix("[eventfd]")
    }.count
}
