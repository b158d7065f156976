import TestSupport
import Testing

@testable import Wire

/// An actor pinned to a reactor, the way peer actors are.
actor PinnedCounter: LoopIsolated {
    nonisolated let reactor: Reactor
    nonisolated var unownedExecutor: UnownedSerialExecutor { reactor.asUnownedSerialExecutor() }
    var count = 0
    init(reactor: Reactor) { self.reactor = reactor }
    func increment() -> Bool {
        count += 1
        return reactor.isInLoop
    }
}

extension IOSuite {
    @Suite struct ReactorTests {
        @Test func pinnedActor_runsOnTheLoopThread() async throws {
            try await withTestReactor { reactor in
                let counter = PinnedCounter(reactor: reactor)
                #expect(await counter.increment())
                // From a loop callback, assumeIsolated must not trap (checkIsolated works).
                let value = await withCheckedContinuation { continuation in
                    reactor.execute {
                        continuation.resume(returning: counter.assumeIsolated { $0.count })
                    }
                }
                #expect(value == 1)
            }
        }

        @Test func onLoop_entersThePinnedActor_andPassesItsArgumentAndErrors() async throws {
            struct Refused: Error, Equatable { let value: Int }
            try await withTestReactor { reactor in
                let counter = PinnedCounter(reactor: reactor)
                let (sum, error) = await withCheckedContinuation { continuation in
                    reactor.execute {
                        let sum = counter.onLoop(5) { counter, step in
                            counter.count += step
                            return counter.count
                        }
                        let error = #expect(throws: Refused.self) {
                            try counter.onLoop(7) { (_, value) throws(Refused) in throw Refused(value: value) }
                        }
                        continuation.resume(returning: (sum, error))
                    }
                }
                #expect(sum == 5)
                #expect(error == Refused(value: 7))
                #expect(await counter.count == 5)
            }
        }

        @Test func onLoop_offTheLoopThread_stopsTheProcess() async {
            await #expect(processExitsWith: .failure) {
                let reactor = try Reactor(name: "onloop-exit")
                _ = PinnedCounter(reactor: reactor).onLoop(()) { counter, _ in counter.count }
            }
        }

        @Test func manyTasksFromOtherThreads_allRunOnce() async throws {
            try await withTestReactor { reactor in
                let counter = PinnedCounter(reactor: reactor)
                await withTaskGroup(of: Bool.self) { group in
                    for _ in 0..<1000 { group.addTask { await counter.increment() } }  // global pool callers
                    for await onLoop in group { #expect(onLoop) }
                }
                #expect(await counter.count == 1000)
            }
        }

        @Test func timers_fireInDeadlineOrder() async throws {
            try await withTestReactor { reactor in
                let order = await withCheckedContinuation { (continuation: CheckedContinuation<[Int], Never>) in
                    reactor.execute {
                        var fired: [Int] = []
                        for (index, delay) in [30, 10, 20].enumerated() {
                            reactor.scheduleTimer(after: .milliseconds(delay)) { _ in
                                fired.append(index)
                                if fired.count == 3 { continuation.resume(returning: fired) }
                            }
                        }
                        let cancelled = reactor.scheduleTimer(after: .milliseconds(5)) { _ in fired.append(99) }
                        reactor.cancelTimer(cancelled)
                    }
                }
                #expect(order == [1, 2, 0])
            }
        }

        @Test func timerReschedulingIntoThePast_doesNotStarveTheLoop() async throws {
            try await withTestReactor { reactor in
                let fired = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
                    reactor.execute {
                        let count = LoopCounter()
                        func again(_ cancelled: Bool) {
                            count.value += 1
                            guard !cancelled, count.value < 100_000 else { return }
                            reactor.scheduleTimer(at: 0, again)  // always already due
                        }
                        reactor.scheduleTimer(at: 0, again)
                        // Queued work must still run while the timer keeps rescheduling itself.
                        reactor.execute { continuation.resume(returning: count.value) }
                    }
                }
                #expect(fired < 100)
            }
        }

        /// The loop sleeps until a timer's deadline to the nanosecond (epoll_pwait2), not to the
        /// next whole millisecond: with millisecond rounding, timers due within the same
        /// millisecond all fired together, and 100 peers' pings queued behind one another.
        @Test func timeToNextTimer_isNotRoundedToMilliseconds() async throws {
            try await withTestReactor { reactor in
                let wait = await withCheckedContinuation { (continuation: CheckedContinuation<Int64, Never>) in
                    reactor.execute {
                        let timer = reactor.scheduleTimer(after: .microseconds(2_500)) { _ in }
                        continuation.resume(returning: reactor.nanosecondsToNextTimer())
                        reactor.cancelTimer(timer)
                    }
                }
                #expect(wait > 1_500_000)
                #expect(wait <= 2_500_000)  // rounded up to milliseconds it would be 3,000,000
            }
        }

        @Test func epollWait_neverReturnsBeforeItsTimeout() throws {
            let epoll = try Epoll()
            defer { epoll.close() }
            let events = Epoll.EventBuffer(capacity: 4)
            for timeout: Int64 in [300_000, 1_500_000] {
                let start = Reactor.now()
                epoll.wait(into: events, timeoutNanoseconds: timeout) { _, _ in Issue.record("no event expected") }
                #expect(Int64(Reactor.now() - start) >= timeout)
            }
        }

        @Test func manualClock_firesTimersWhenAdvancedToTheirDeadline_notBefore() async throws {
            try await Reactor.withReactor(name: "manual-clock", clock: ManualClock()) { reactor in
                let fired = LockedValue<[String]>([])
                await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                    reactor.execute {
                        reactor.scheduleTimer(after: .seconds(10)) { _ in fired.withLock { $0.append("10 s") } }
                        reactor.scheduleTimer(after: .seconds(5)) { _ in fired.withLock { $0.append("5 s") } }
                        continuation.resume()
                    }
                }
                await reactor.advanceClock(by: .milliseconds(4_999))
                #expect(fired.value == [])
                await reactor.advanceClock(by: .milliseconds(1))
                #expect(fired.value == ["5 s"])
                await reactor.advanceClock(by: .seconds(3_600))
                #expect(fired.value == ["5 s", "10 s"])
            }
        }

        // A task on the loop that waits for the next pass lets the pass it was in end (the
        // loop records a pass before each epoll round); running on, it would not.
        @Test func nextPass_endsThePassTheCallerWasIn() async throws {
            try await withTestReactor { reactor in
                let counts = await Task(executorPreference: reactor) { () -> [Int] in
                    var seen = [reactor.passStats.count]
                    for _ in 0..<3 {
                        await reactor.nextPass()
                        seen.append(reactor.passStats.count)
                    }
                    return seen
                }.value
                for (before, after) in zip(counts, counts.dropFirst()) { #expect(after > before) }
            }
        }

        @Test func sleep_waitsAtLeastItsDuration() async throws {
            try await withTestReactor { reactor in
                let start = ContinuousClock.now
                try await reactor.sleep(for: .milliseconds(30))
                let elapsed = ContinuousClock.now - start
                #expect(elapsed >= .milliseconds(30))
                #expect(elapsed < .seconds(1))
            }
        }

        @Test func cancelledSleep_throwsPromptly() async throws {
            try await withTestReactor { reactor in
                let sleeper = Task(executorPreference: reactor) { try await reactor.sleep(for: .seconds(60)) }
                try await reactor.sleep(for: .milliseconds(20))
                let start = ContinuousClock.now
                sleeper.cancel()
                await #expect(throws: CancellationError.self) { try await sleeper.value }
                #expect(ContinuousClock.now - start < .milliseconds(500))
            }
        }

        @Test func shutdown_failsEveryWaiterAndClosesEveryDescriptor() async throws {
            try await ExclusiveIO.shared.run { try await shutdownScenario() }
        }

        func shutdownScenario() async throws {
            let before = ownDescriptorCount()
            let reactor = try Reactor(name: "shutdown-test")
            let outcome = try await withThrowingTaskGroup(of: String.self) { group in
                let (listener, server, client) = try await makePair(on: reactor)
                group.addTask(executorPreference: reactor) {
                    do {
                        try await server.deliverBatches { _ in .proceed }
                        return "read returned"
                    } catch { return "read: \(error)" }
                }
                group.addTask(executorPreference: reactor) {
                    do {
                        try await reactor.sleep(for: .seconds(60))
                        return "sleep returned"
                    } catch { return "sleep: \((error as? SyscallError)?.errno == Posix.shutdownErrno)" }
                }
                group.addTask(executorPreference: reactor) {
                    do {
                        _ = try await listener.accept()
                        return "accept: nil"
                    } catch { return "accept: \(error)" }
                }
                try await Task.sleep(for: .milliseconds(50))
                reactor.shutdown()
                var results: [String] = []
                for try await result in group { results.append(result) }
                #expect(await client.isClosed)
                return results.sorted()
            }
            #expect(outcome == ["accept: nil", "read: reactor stopped", "sleep: true"])
            reactor.stopAndJoin()
            #expect(ownDescriptorCount() == before)
        }
    }
}

/// A counter touched only on the loop thread (@unchecked Sendable: confined to the reactor).
final class LoopCounter: @unchecked Sendable {
    var value = 0
}
