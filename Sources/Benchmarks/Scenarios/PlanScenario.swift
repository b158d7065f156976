import Actors
import Wire

/// `plan [--entries 13000] [--sources 1000] [--cycles 300]`: the maintainer's planning time at
/// a large peer book (issue #12 item 4: ≤ 1 ms at 10,000 entries). `entries` addresses over
/// 200 /16s are gossiped by `sources` peers (each its own /16), every fifth then reached once
/// (tried); the book keeps what its buckets take (about 10,000 of the default 13,000: the
/// address manager holds 10,240 at most), and `book_entries` says how many. Two measurements:
/// `ConnectionManager.planCycle()` (prune, draws, `decideDial` with the why ledger and the
/// funnel, a call onto the reactor), and the pure path on a `PeerTable` (draws and
/// decisions only). After each cycle its dials fail (`connection_refused`), so the book
/// ages as a node's whose dials keep failing: cooldowns and recent tries pile up.
enum PlanScenario {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let entries = try options.int("entries", 13_000)
        let sources = max(1, min(try options.int("sources", 1_000), 50_000))
        let cycles = max(1, try options.int("cycles", 300))
        let now = Double(Posix.wallClockNanoseconds()) / 1e9
        let fillStart = ContinuousClock.now
        let book = filledBook(entries: entries, sources: sources, now: now)
        let fill = milliseconds(ContinuousClock.now - fillStart)
        var report = BenchReport("plan")
        // What a PeerList costs the reactor per address it carries (the add, and every fifth a
        // markGood): 1,000 addresses, the most one list may enter, cost 1,000 times this.
        report.set("learn_us_per_address", fill * 1000 / Double(max(1, entries)))
        report.set("book_entries", book.count)
        report.set("tried", book.addresses.triedCount)
        report.set("source_groups", sources)
        report.set("address_groups", 200)

        var configuration = NodeConfiguration()
        configuration.minimumOutbound = 8
        let manager = ConnectionManager(configuration: configuration, reactor: .shared, logger: .silent, book: book)
        var managerTimes: [Double] = []
        var dialed = 0
        for _ in 0..<cycles {
            let start = ContinuousClock.now
            let plan = await manager.planCycle()
            managerTimes.append(milliseconds(ContinuousClock.now - start))
            dialed += plan.dials.count
            for (address, source) in plan.dials {
                await manager.dialFailed(address, source: source, reason: .connectionRefused, handshake: false)
            }
        }
        report.set("cycles", cycles)
        report.set("dials_per_cycle", Double(dialed) / Double(cycles))
        summarize(managerTimes, as: "manager_plan", into: &report)

        var table = PeerTable(
            limits: .init(minimumOutbound: 8, maximumPeers: 16), policy: DialPolicy(lan: false, ipv4Only: false))
        table.book = book
        var generator = FastRandom()
        var pureTimes: [Double] = []
        for cycle in 0..<cycles {
            let at = now + Double(cycle)
            let start = ContinuousClock.now
            generator.reseed()
            var draws = table.outboundDraws(slots: 8, using: &generator)
            var picks: [SocketAddress] = []
            while picks.count < 8, let entry = draws.next(from: &table.book, now: at, using: &generator) {
                guard table.decideDial(entry.address, source: entry.origin, localIP: nil, now: at) == nil else {
                    draws.skipped(entry, in: &table.book)
                    continue
                }
                draws.dialing(entry.ip, in: table.book)
                picks.append(entry.address)
            }
            pureTimes.append(milliseconds(ContinuousClock.now - start))
            for address in picks {
                _ = table.dialFailed(address, reason: .connectionRefused, handshake: false, now: at)
            }
        }
        summarize(pureTimes, as: "pure_plan", into: &report)
        report.set("book_entries_after", table.book.count)
        return report
    }

    /// `entries` gossiped addresses: host i in /16 number i % 200 (20.0.0.0/16 on), told by
    /// source i % `sources` (in 30.0.0.0/8 and up, one /16 each); every fifth one reached by
    /// our own dial.
    static func filledBook(entries: Int, sources: Int, now: Double) -> PeerBook {
        var book = PeerBook()
        for index in 0..<max(0, entries) {
            let group = UInt32(index % 200)
            let host = UInt32(index / 200 + 1)
            let address = SocketAddress(ip: .v4((20 << 24) + (group << 16) + host), port: 7071)
            let source = PeerIP(.v4((30 << 24) + UInt32(index % sources) << 16 + 1))
            book.add(address, source: .gossip, from: source, now: now)
            if index.isMultiple(of: 5) { book.recordSuccess(address, direction: .outbound, now: now) }
        }
        return book
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e3 + Double(attoseconds) / 1e15
    }

    static func summarize(_ times: [Double], as name: String, into report: inout BenchReport) {
        let sorted = times.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        report.set("\(name)_p50_ms", percentile(0.5))
        report.set("\(name)_p99_ms", percentile(0.99))
        report.set("\(name)_max_ms", sorted.last ?? 0)
    }
}
