import Foundation
import Testing

@testable import Diagnostics
@testable import Wire

/// The endpoint survives any byte sequence and any number of idle connections
/// (INTERFACE.md), and closes slow or silent clients at their deadlines.
@Suite(.serialized) struct DebugEndpointResilienceTests {
    typealias Fixture = DebugEndpointFixture

    // The issue: 64 idle sockets made every debug request 503 for up to 15 s, so a
    // Prometheus scrape failed. Now the longest-idle connection gives way.
    @Test func moreIdleConnectionsThanTheCap_doNotBlockANewRequest() async throws {
        try await Fixture.with({ $0.idleTimeout = .seconds(60) }) { address in
            var idle: [RawHTTPClient] = []
            for index in 0..<80 {
                // 20 source IPs, 4 each: under the per-IP cap, over the total cap.
                let source = IPAddress.v4(0x7F00_4200 | UInt32(10 + index % 20))
                idle.append(try await RawHTTPClient.open(address, from: source))
            }
            for attempt in 0..<5 {
                var client = try await RawHTTPClient.open(address)
                try await client.send(Fixture.get("/metrics", address))
                #expect(try await client.response()?.status == 200, "attempt \(attempt)")
                await client.close()
            }
            // The first idle connections were the ones closed to make room.
            #expect(await idle[0].closedByServer(within: .seconds(5)))
            for client in idle { await client.close() }
        }
    }

    @Test func perIPCap_closesThatIPsLongestIdle_andSparesOtherIPs() async throws {
        try await Fixture.with({ $0.maximumConnectionsPerIP = 4 }) { address in
            let crowded = IPAddress(parsing: "127.0.66.5")!
            var own: [RawHTTPClient] = []
            for _ in 0..<4 { own.append(try await RawHTTPClient.open(address, from: crowded)) }
            var other = try await RawHTTPClient.open(address, from: IPAddress(parsing: "127.0.66.6")!)
            var newcomer = try await RawHTTPClient.open(address, from: crowded)
            try await newcomer.send(Fixture.get("/health", address))
            #expect(try await newcomer.response()?.status == 200)
            #expect(await own[0].closedByServer(within: .seconds(5)))
            try await other.send(Fixture.get("/health", address))
            #expect(try await other.response()?.status == 200)
            for client in own + [other, newcomer] { await client.close() }
        }
    }

    // Deadlines are reactor timers on each connection: a silent client is closed at the
    // idle deadline, and a client that dribbles a request (slowloris) at the request
    // deadline counted from its first byte, however often it sends one more.
    @Test func silentAndSlowClients_areClosedAtTheirDeadlines() async throws {
        try await Fixture.with({
            $0.idleTimeout = .milliseconds(300)
            $0.requestTimeout = .milliseconds(500)
        }) { address in
            var silent = try await RawHTTPClient.open(address)
            let opened = ContinuousClock.now
            #expect(await silent.closedByServer(within: .seconds(5)))
            #expect(ContinuousClock.now - opened >= .milliseconds(250))
            await silent.close()
            var slow = try await RawHTTPClient.open(address)
            let started = ContinuousClock.now
            var closed = false
            for byte in "GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ".utf8
                + Array(repeating: UInt8(ascii: "a"), count: 100)
            {
                do {
                    try await slow.send(bytes: [byte])
                } catch {
                    closed = true
                    break
                }
                try await Reactor.shared.sleep(for: .milliseconds(50))
                if ContinuousClock.now - started > .seconds(4) { break }
            }
            if !closed { closed = await slow.closedByServer(within: .seconds(2)) }
            #expect(closed)
            #expect(ContinuousClock.now - started < .seconds(4))
            await slow.close()
        }
    }

    // Whatever arrives (random bytes, NULs, an endless header line, a request line alone),
    // other clients keep being served and nothing crashes.
    @Test func anyByteSequence_leavesTheEndpointAnswering() async throws {
        try await Fixture.with({ $0.lingerTimeout = .milliseconds(200) }) { address in
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            var inputs: [[UInt8]] = [
                [0, 0, 0, 0], Array("GET / HTTP/1.1\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 40_000),
                Array("\r\n\r\n\r\n".utf8), Array("GET /health HTTP/1.1\r\nHost: \(address)\r\n\r\n\u{0}\u{1}".utf8),
                Array(
                    "POST /api/p2p/connect HTTP/1.1\r\nHost: \(address)\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"
                        .utf8),
            ]
            for _ in 0..<20 {
                var bytes: [UInt8] = []
                for _ in 0..<Int(state % 3000) {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    bytes.append(UInt8(truncatingIfNeeded: state >> 33))
                }
                inputs.append(bytes)
            }
            for input in inputs {
                var hostile = try await RawHTTPClient.open(address)
                try? await hostile.send(bytes: input)
                _ = await hostile.closedByServer(within: .milliseconds(300))
                await hostile.close()
            }
            var client = try await RawHTTPClient.open(address)
            try await client.send(Fixture.get("/health", address))
            #expect(try await client.response()?.status == 200)
            await client.close()
        }
    }
}
