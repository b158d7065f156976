import Wire

/// `eclipse [--quick 1]`: issue #13's eclipse attack on real `meshnode` processes (the release
/// binary next to this one) in a network namespace of its own: an honest network of
/// `--honest` nodes, each in its own /16, and an in-process attacker with `--sybils`
/// addresses over `--sybil-groups` /16s. Each trial's victim joins while the attacker floods
/// its book with PeerLists and its inbound with handshaked and half-open connections, then
/// restarts on the same data dir, then seeds a fresh node. Beside the trials, the two small
/// attacks of the issue: 16 silent sockets from one IP, 16 handshaked sybils from one /24.
/// docs/benchmarks.md says what each figure means.
enum EclipseScenario {
    static let allowed: Set<String> = [
        "quick", "honest", "trials", "concurrent", "sybils", "sybil-groups", "tick", "attack-seconds", "handshaked",
        "half-open", "keep", "victim-alone",
    ]

    /// Outside: re-runs itself as `eclipse-inner` in a new network namespace.
    static func run(_ arguments: [String]) async throws -> BenchReport {
        let options = try BenchOptions(arguments, allowed: allowed)
        let quick = try options.int("quick", 0) != 0
        return try await NetworkNamespace.run(scenario: "eclipse-inner", arguments, timeout: quick ? 240 : 3600)
    }

    /// Inside the namespace: runs everything and writes the report to `--report`.
    static func runInside(_ arguments: [String]) async throws -> BenchReport {
        let options = try BenchOptions(arguments, allowed: allowed.union(["report"]))
        guard let reportPath = options.string("report") else { throw BenchError("eclipse-inner needs --report") }
        try NetworkNamespace.followParent()
        let quick = try options.int("quick", 0) != 0
        let plan = EclipsePlan(
            honestCount: try options.int("honest", 50), sybilCount: try options.int("sybils", 1000),
            sybilGroups: try options.int("sybil-groups", 100))
        guard plan.honestCount <= EclipsePlan.maximumHonest, plan.sybilGroups <= EclipsePlan.maximumSybilGroups,
            plan.sybilCount >= plan.sybilGroups, plan.sybilCount <= plan.sybilGroups * 256 * 200, plan.honestCount >= 4
        else {
            throw BenchError(
                "--honest 4…\(EclipsePlan.maximumHonest), --sybil-groups ≤ \(EclipsePlan.maximumSybilGroups), "
                    + "--sybils ≥ --sybil-groups")
        }
        let trials = try options.int("trials", quick ? 2 : 10)
        let concurrent = min(try options.int("concurrent", quick ? 2 : 5), EclipsePlan.maximumConcurrentTrials)
        guard trials <= 250 else { throw BenchError("--trials ≤ 250") }
        var timeline = EclipseTimeline()
        timeline.attack = try options.double("attack-seconds", timeline.attack)
        timeline.victimAlone = try options.double("victim-alone", 0)
        let tick = try options.double("tick", 0.5)
        let handshaked = try options.int("handshaked", 24)
        let halfOpen = try options.int("half-open", 32)
        let binary = try MeshnodeProcess.binary()
        // tmpfs where there is one: ~60 nodes rewrite their files (with fsync) every tick.
        var directory = "/dev/shm/meshnode-eclipse-\(ChildProcess.currentID)"
        if (try? Posix.makeDirectories(directory)) == nil {
            directory = "/tmp/meshnode-eclipse-\(ChildProcess.currentID)"
            try Posix.makeDirectories(directory)
        }
        let lab = EclipseLab(
            plan: plan, binary: binary, directory: directory, tick: tick,
            attacker: EclipseAttacker(plan: plan, tick: tick, tally: Tally()))
        let started = now()
        let keep = try options.int("keep", 0) != 0
        let report: BenchReport
        do {
            // Bound before anything starts: a sybil that does not listen would change the attack.
            let listener = try Listener(bindingTo: SocketAddress(ip: .v4(0), port: EclipsePlan.sybilPort))
            report = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask(executorPreference: Reactor.shared) { await lab.attacker.listen(on: listener) }
                defer { group.cancelAll() }
                return try await run(
                    lab, trials: trials, concurrent: concurrent, timeline: timeline, handshaked: handshaked,
                    halfOpen: halfOpen, started: started)
            }
        } catch {
            progress("eclipse: failed; logs and data dirs kept in \(directory)")
            throw error
        }
        try Posix.writeFileAtomically(reportPath, Array((report.line + "\n").utf8))
        if keep {
            progress("eclipse: logs and data dirs kept in \(directory)")
        } else {
            _ = try? ChildProcess.spawn("/bin/rm", ["-rf", directory]).waitForExit(upTo: .seconds(10))
        }
        return BenchReport("eclipse-inner")
    }

    static func run(
        _ lab: EclipseLab, trials: Int, concurrent: Int, timeline: EclipseTimeline, handshaked: Int, halfOpen: Int,
        started: Double
    ) async throws -> BenchReport {
        let plan = lab.plan
        progress("eclipse: starting \(plan.honestCount) honest nodes in \(plan.honestCount) /16s")
        var honest: [MeshnodeProcess] = []
        do {
            for index in 0..<plan.honestCount { honest.append(try lab.startHonest(index)) }
        } catch {
            await MeshnodeProcess.stop(honest)
            throw error
        }
        var report = BenchReport("eclipse")
        do {
            let meshed = await BenchNodes.waitUntil(timeout: 60, interval: 0.5) {
                var ready = 0
                for node in honest where (await DebugHTTP.sessions(node.debug)?.count ?? 0) >= 4 { ready += 1 }
                return ready == honest.count
            }
            guard let meshed else { throw BenchError("the honest network did not mesh within 60 s (4 peers each)") }
            progress("eclipse: honest network meshed in \(Int(meshed)) s")
            report.set("honest_nodes", plan.honestCount)
            report.set("honest_groups", plan.honestCount)
            report.set("sybil_addresses", plan.sybilCount)
            report.set("sybil_groups", plan.sybilGroups)
            report.set("trials", trials)
            report.set("tick_s", lab.tick)
            report.set("attack_s", timeline.attack)
            report.set("victim_alone_s", timeline.victimAlone)
            report.set("honest_mesh_s", meshed)
            var results: [EclipseTrialResult] = []
            var small: (silent: EclipseLab.SmallAttackResult, sybil: EclipseLab.SmallAttackResult)?
            var first = 0
            while first < trials {
                let wave = first..<min(trials, first + concurrent)
                try await withThrowingTaskGroup(of: (Int, EclipseTrialResult?, EclipseLab.SmallAttackResult?).self) {
                    group in
                    for index in wave {
                        group.addTask(executorPreference: Reactor.shared) {
                            (
                                index,
                                try await lab.trial(
                                    index, timeline: timeline, handshaked: handshaked, halfOpen: halfOpen), nil
                            )
                        }
                    }
                    if small == nil {
                        // The small attacks run beside the first wave, each on its own victim.
                        for silent in [true, false] {
                            group.addTask(executorPreference: Reactor.shared) {
                                (
                                    silent ? -1 : -2, nil,
                                    try await lab.smallAttack(silent: silent, seconds: 16, newcomerEvery: 2)
                                )
                            }
                        }
                    }
                    var silentResult = EclipseLab.SmallAttackResult()
                    var sybilResult = EclipseLab.SmallAttackResult()
                    for try await (index, trial, attack) in group {
                        if let trial { results.append(trial) }
                        if let attack { if index == -1 { silentResult = attack } else { sybilResult = attack } }
                    }
                    if small == nil { small = (silentResult, sybilResult) }
                }
                first = wave.upperBound
            }
            summarize(results, into: &report)
            if let small {
                for (name, attack) in [("silent16", small.silent), ("sybil16", small.sybil)] {
                    report.set("\(name)_honest_outbound", attack.honestOutbound)
                    report.set("\(name)_outbound", attack.outbound)
                    report.set("\(name)_seconds_to_target", attack.secondsToTarget ?? -1)
                    report.set("\(name)_newcomers_admitted", attack.newcomersAdmitted)
                    report.set("\(name)_newcomers_tried", attack.newcomersTried)
                }
                report.set("silent16_sockets_opened", lab.attacker.tally["silent_sockets_opened"])
                report.set("sybil16_sessions_admitted", lab.attacker.tally["sybil16_admitted"])
            }
            report.set("sybil_sessions_accepted", lab.attacker.tally["sybil_sessions_accepted"])
            report.set("seconds", now() - started)
        } catch {
            await MeshnodeProcess.stop(honest)
            throw error
        }
        await MeshnodeProcess.stop(honest)
        return report
    }

    static func summarize(_ results: [EclipseTrialResult], into report: inout BenchReport) {
        func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        let book = results.map(\.bookShare)
        let attack = results.map(\.attackShare)
        let restart = results.map(\.restartShare)
        let fresh = results.map(\.freshShare)
        report.set("book_attacker_share_mean", mean(book))
        report.set("book_attacker_share_max", book.max() ?? 0)
        report.set("book_entries_mean", mean(results.map { Double($0.bookEntries) }))
        report.set("attack_outbound_attacker_share_mean", mean(attack))
        report.set("attack_outbound_attacker_share_max", attack.max() ?? 0)
        report.set("attack_outbound_attacker_share_peak", results.map(\.attackShareMax).max() ?? 0)
        report.set("attack_outbound_mean", mean(results.map { Double($0.attackAttacker + $0.attackHonest) }))
        report.set("restart_outbound_attacker_share_mean", mean(restart))
        report.set("restart_outbound_attacker_share_max", restart.max() ?? 0)
        report.set("restart_outbound_mean", mean(results.map { Double($0.restartAttacker + $0.restartHonest) }))
        report.set("fresh_outbound_attacker_share_mean", mean(fresh))
        report.set("fresh_outbound_attacker_share_max", fresh.max() ?? 0)
        report.set("fresh_outbound_mean", mean(results.map { Double($0.freshAttacker + $0.freshHonest) }))
        report.set("honest_newcomers_admitted", results.reduce(0) { $0 + $1.newcomersAdmitted })
        report.set("honest_newcomers_tried", results.reduce(0) { $0 + $1.newcomersTried })
        let kept = results.count(where: \.keptHonestOutbound)
        report.set("trials_with_honest_outbound", kept)
        report.set("trials_without_honest_outbound", results.count - kept)
        report.set("samples_missed", results.reduce(0) { $0 + $1.samplesMissed })
    }
}
