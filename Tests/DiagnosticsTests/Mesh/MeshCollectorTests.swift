import Foundation
import Testing

@testable import Diagnostics
@testable import Wire

/// The siblings' views behind `GET /api/p2p/mesh`: however often the route is asked, each
/// sibling is asked at most once per cache lifetime, and a sibling that fails is logged when it
/// goes down and when it comes back, not at every request. Real sockets on 127.81.0.2, a reactor
/// on a manual clock.
@Suite struct MeshCollectorTests {
    /// A sibling answering every connection with its view (or, while `answersWell` is false,
    /// with garbage; while `silent`, with nothing), counting the connections and telling each
    /// request as it arrives.
    final class Sibling: Sendable {
        let listener: ByteListener
        let connections = LockedValue(0)
        let answersWell = LockedValue(true)
        let silent = LockedValue(false)
        let (requests, requested) = AsyncStream<Void>.makeStream()

        init(reactor: Reactor) throws {
            listener = try ByteListener(
                bindingTo: SocketAddress(ip: IPAddress(parsing: "127.81.0.2")!, port: 0), reactor: reactor)
        }

        func run() async {
            await withDiscardingTaskGroup { group in
                while let stream = await listener.accept() {
                    connections.withLock { $0 += 1 }
                    let good = answersWell.withLock { $0 }
                    let quiet = silent.withLock { $0 }
                    group.addTask(executorPreference: listener.reactor) { [requested] in
                        _ = await SiblingFetchTests.request(stream)
                        requested.yield()
                        if quiet {
                            await SiblingFetchTests.drain(stream)  // until the node gives up
                            return
                        }
                        let bytes =
                            good ? SiblingFetchTests.answer(SiblingFetchTests.validBody) : Array("junk\r\n".utf8)
                        try? await stream.write(bytes)
                        await stream.close()
                    }
                }
            }
        }
    }

    /// Runs `body` with a collector of one sibling and a JSON logger to a file; returns the
    /// log lines' events.
    static func run(
        _ body: @escaping @Sendable (MeshCollector, Sibling, Reactor) async throws -> Void
    ) async throws -> [String] {
        let path = NSTemporaryDirectory() + "meshnode-mesh-\(UInt32.random(in: 0...UInt32.max))"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        let logger = Logger(
            minimumLevel: .info, format: .json, descriptor: handle.fileDescriptor, redactor: Redactor(enabled: false))
        try await Reactor.withReactor(name: "mesh-collector", clock: ManualClock()) { reactor in
            let sibling = try Sibling(reactor: reactor)
            let collector = MeshCollector(siblings: [sibling.listener.localAddress], reactor: reactor, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask(executorPreference: reactor) { await sibling.run() }
                group.addTask(executorPreference: reactor) { try await body(collector, sibling, reactor) }
                try await group.next()
                await sibling.listener.close()
                try await group.waitForAll()
            }
        }
        logger.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["event"] as? String
        }
    }

    @Test func requestsWithinTheCacheLifetime_askTheSiblingOnce_evenAtTheSameTime() async throws {
        _ = try await Self.run { collector, sibling, reactor in
            // Three requests at once: one fetch, whose answer all three get.
            async let first = collector.views()
            async let second = collector.views()
            async let third = collector.views()
            let all = await [first, second, third]
            #expect(all.allSatisfy { (try? $0.first?.view.get())?.ip == "127.81.0.9" })
            #expect(sibling.connections.withLock { $0 } == 1)
            await reactor.advanceClock(by: collector.cacheLifetime - .milliseconds(1))
            _ = await collector.views()
            #expect(sibling.connections.withLock { $0 } == 1, "asked again within the lifetime")
            await reactor.advanceClock(by: .milliseconds(1))
            _ = await collector.views()
            #expect(sibling.connections.withLock { $0 } == 2, "not asked again after the lifetime")
            #expect(await collector.rounds == 2)
        }
    }

    @Test func siblingGoingDownAndUp_isLoggedOnceEachWay() async throws {
        let events = try await Self.run { collector, sibling, reactor in
            sibling.answersWell.withLock { $0 = false }
            for _ in 0..<3 {
                let views = await collector.views()
                #expect(views.first.map { if case .failure = $0.view { true } else { false } } == true)
                await reactor.advanceClock(by: collector.cacheLifetime)
            }
            sibling.answersWell.withLock { $0 = true }
            for _ in 0..<2 {
                _ = await collector.views()
                await reactor.advanceClock(by: collector.cacheLifetime)
            }
            #expect(sibling.connections.withLock { $0 } == 5)
        }
        #expect(events == ["mesh.sibling_unreachable", "mesh.sibling_reachable"])
    }

    @Test func siblingThatTimedOut_restsForTheBackoff_insteadOfCostingEveryRequestTheTimeout() async throws {
        _ = try await Self.run { collector, sibling, reactor in
            sibling.silent.withLock { $0 = true }
            var arrivals = sibling.requests.makeAsyncIterator()
            async let first = collector.views()
            _ = await arrivals.next()  // the node has asked
            await reactor.advanceClock(by: collector.timeout)
            let timedOut = await first
            #expect(
                timedOut.first.map { if case .failure(let e) = $0.view { e.kind == .timedOut } else { false } } == true)
            // It would answer now, but within the backoff it is not asked: the same failure, at once.
            sibling.silent.withLock { $0 = false }
            for _ in 0..<3 {
                await reactor.advanceClock(by: collector.cacheLifetime)
                let rested = await collector.views()
                #expect(rested == timedOut)
            }
            #expect(sibling.connections.withLock { $0 } == 1)
            // After it: asked again, and its view is back.
            await reactor.advanceClock(by: collector.timeoutBackoff)
            let back = await collector.views()
            #expect((try? back.first?.view.get())?.ip == "127.81.0.9")
            #expect(sibling.connections.withLock { $0 } == 2)
        }
    }

    @Test func siblingsAreAskedOnce_eachAtMostSixtyFour() async throws {
        try await Reactor.withReactor(name: "mesh-collector", clock: ManualClock()) { reactor in
            let many = (1...100).map { SocketAddress(ip: .v4(0x7F51_0100 + UInt32($0)), port: 7070) }
            let collector = MeshCollector(siblings: many + many, reactor: reactor)
            #expect(collector.siblings == Array(many.prefix(MeshCollector.maximumSiblings)))
        }
    }
}
