import Wire

/// What one trial of the big attack measured.
struct EclipseTrialResult: Sendable {
    var bookShare = 0.0
    var bookEntries = 0
    /// Outbound at the end of the attack window, and the largest attacker share sampled in it.
    var attackAttacker = 0
    var attackHonest = 0
    var attackShareMax = 0.0
    /// The fewest honest outbound peers in any sample of the attack window (after its start-up).
    var attackHonestMin = Int.max
    var restartAttacker = 0
    var restartHonest = 0
    var freshAttacker = 0
    var freshHonest = 0
    var newcomersTried = 0
    var newcomersAdmitted = 0
    /// Samples a node's endpoint did not answer (a figure missing, not a zero).
    var samplesMissed = 0

    static func share(_ attacker: Int, _ honest: Int) -> Double {
        attacker + honest == 0 ? 0 : Double(attacker) / Double(attacker + honest)
    }
    var attackShare: Double { Self.share(attackAttacker, attackHonest) }
    var restartShare: Double { Self.share(restartAttacker, restartHonest) }
    var freshShare: Double { Self.share(freshAttacker, freshHonest) }
    /// At least one honest outbound peer in every sample of the attack and after the restart.
    var keptHonestOutbound: Bool { attackHonestMin != Int.max && attackHonestMin >= 1 && restartHonest >= 1 }
}

/// How long each phase of a trial lasts, in seconds.
struct EclipseTimeline: Sendable {
    /// The honest nodes throttle an IP that dials them again within 30 s (not scaled by the
    /// tick, no flag): a victim restarted sooner would be refused by the honest peers it had
    /// just connected to, which no real restart (hours after its sessions began) meets. So
    /// the attack lasts past that window before the restart.
    var attack = 32.0
    var afterRestart = 5.0
    var fresh = 6.0
    var newcomerEvery = 3.0
    /// Samples of the attack window start after this (the victim's first dials).
    var warmUp = 4.0
    /// How long the victim runs unattacked before the attack (0: it joins under attack, the
    /// default; more: Heilman et al.'s shape, a running node attacked and then restarted).
    var victimAlone = 0.0
}

extension EclipseLab {
    /// One trial: a victim with an empty book joins (seeded by three honest nodes) and, after
    /// `timeline.victimAlone` seconds, the attacker floods it; honest newcomers dial it
    /// meanwhile; it restarts on the same data dir, still under attack; then a fresh node
    /// seeded only by it joins.
    func trial(_ index: Int, timeline: EclipseTimeline, handshaked: Int, halfOpen: Int) async throws
        -> EclipseTrialResult
    {
        let name = "victim\(index)"
        let seeds = seeds(for: index)
        var victim = try startNode(ip: EclipsePlan.victim(index), name: name, seeds: seeds)
        guard await victim.waitUntilUp() else {
            await victim.stop()
            throw BenchError("\(name) did not start (see \(victim.directory)/node.log)")
        }
        let target = victim.listen
        let prefix = "trial\(index)_"
        var result = EclipseTrialResult()
        await sleep(timeline.victimAlone)
        var failure: (any Error)?
        await withTaskGroup(of: Void.self) { attack in
            attack.addTask(executorPreference: Reactor.shared) {
                await attacker.flood(
                    target, handshaked: handshaked, halfOpen: halfOpen, firstAddress: index * 101, prefix: prefix)
            }
            await withTaskGroup(of: Void.self) { window in
                window.addTask(executorPreference: Reactor.shared) {
                    await newcomers(target, every: timeline.newcomerEvery, prefix: "\(prefix)newcomers_") { number in
                        EclipsePlan.newcomer(number, trial: index)
                    }
                }
                let start = now()
                await sleep(timeline.warmUp)
                while now() - start < timeline.attack {
                    if let outbound = await outbound(of: victim) {
                        result.attackShareMax = max(
                            result.attackShareMax, EclipseTrialResult.share(outbound.attacker, outbound.honest))
                        result.attackHonestMin = min(result.attackHonestMin, outbound.honest)
                        (result.attackAttacker, result.attackHonest) = outbound
                    } else {
                        result.samplesMissed += 1
                    }
                    await sleep(min(1, max(0, timeline.attack - (now() - start))))
                }
                window.cancelAll()
            }
            result.newcomersTried = attacker.tally["\(prefix)newcomers_tried"]
            result.newcomersAdmitted = attacker.tally["\(prefix)newcomers_admitted"]
            (result.bookShare, result.bookEntries) = bookShare(of: victim)
            progress(
                "eclipse: trial \(index): book \(percent(result.bookShare)) attacker of \(result.bookEntries), "
                    + "outbound \(result.attackAttacker) attacker / \(result.attackHonest) honest; restarting")
            await victim.stop()
            do {
                victim = try startNode(ip: EclipsePlan.victim(index), name: name, seeds: seeds)
            } catch {
                failure = error
                attack.cancelAll()
                return
            }
            guard await victim.waitUntilUp() else {
                failure = BenchError("\(name) did not restart (see \(victim.directory)/node.log)")
                attack.cancelAll()
                return
            }
            await sleep(timeline.afterRestart)
            if let outbound = await outbound(of: victim) {
                (result.restartAttacker, result.restartHonest) = outbound
            } else {
                result.samplesMissed += 1
            }
            do {
                let fresh = try startNode(ip: EclipsePlan.fresh(index), name: "fresh\(index)", seeds: [target])
                if await fresh.waitUntilUp() {
                    await sleep(timeline.fresh)
                }
                if let outbound = await outbound(of: fresh) {
                    (result.freshAttacker, result.freshHonest) = outbound
                } else {
                    result.samplesMissed += 1
                }
                await fresh.stop()
            } catch {
                failure = error
            }
            attack.cancelAll()
        }
        await victim.stop()
        if let failure { throw failure }
        progress(
            "eclipse: trial \(index): after restart \(result.restartAttacker) attacker / \(result.restartHonest) honest, "
                + "fresh node \(result.freshAttacker) / \(result.freshHonest), newcomers admitted "
                + "\(result.newcomersAdmitted) of \(result.newcomersTried) "
                + "(refused: \(attacker.tally.named(prefix: "\(prefix)newcomers_refused_")))")
        return result
    }

    /// What one of the small attacks measured.
    struct SmallAttackResult: Sendable {
        var honestOutbound = 0
        var outbound = 0
        /// Seconds from the victim's start until it had its 8 honest outbound peers (nil: never).
        var secondsToTarget: Double?
        var newcomersTried = 0
        var newcomersAdmitted = 0
    }

    /// Issue #13's small attacks, each on its own new victim for `seconds`: 16 silent sockets
    /// from one IP (`silent`), or 16 handshaked sybils from one /24.
    func smallAttack(silent: Bool, seconds: Double, newcomerEvery: Double) async throws -> SmallAttackResult {
        let name = silent ? "silent16" : "sybil16"
        let ip = silent ? EclipsePlan.silentVictim : EclipsePlan.sybilVictim
        let victim = try startNode(ip: ip, name: name, seeds: seeds(for: silent ? 8 : 9))
        guard await victim.waitUntilUp() else {
            await victim.stop()
            throw BenchError("\(name) victim did not start (see \(victim.directory)/node.log)")
        }
        let started = now()
        var result = SmallAttackResult()
        await withTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: Reactor.shared) {
                if silent {
                    await attacker.silentSockets(victim.listen, count: 16, deadline: handshakeTimeout)
                } else {
                    await attacker.sybilsFromOneNetwork(victim.listen, count: 16)
                }
            }
            group.addTask(executorPreference: Reactor.shared) {
                await newcomers(victim.listen, every: newcomerEvery, prefix: "\(name)_newcomers_") { number in
                    EclipsePlan.smallNewcomer(number, attack: silent ? 0 : 1)
                }
            }
            while now() - started < seconds {
                if let outbound = await outbound(of: victim) {
                    (result.honestOutbound, result.outbound) = (outbound.honest, outbound.attacker + outbound.honest)
                    if result.secondsToTarget == nil && outbound.honest >= 8 {
                        result.secondsToTarget = now() - started
                    }
                }
                await sleep(0.25)
            }
            group.cancelAll()
        }
        result.newcomersTried = attacker.tally["\(name)_newcomers_tried"]
        result.newcomersAdmitted = attacker.tally["\(name)_newcomers_admitted"]
        await victim.stop()
        progress(
            "eclipse: \(name): \(result.honestOutbound) honest outbound of \(result.outbound), newcomers admitted "
                + "\(result.newcomersAdmitted) of \(result.newcomersTried) "
                + "(refused: \(attacker.tally.named(prefix: "\(name)_newcomers_refused_")))")
        return result
    }
}

func percent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }
