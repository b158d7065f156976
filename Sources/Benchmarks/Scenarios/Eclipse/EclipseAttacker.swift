import Wire

/// Counts shared by the attacker's and the newcomers' tasks.
final class Tally: Sendable {
    private let counts = LockedValue<[String: Int]>([:])

    func add(_ name: String, _ amount: Int = 1) { counts.withLock { $0[name, default: 0] += amount } }
    subscript(name: String) -> Int { counts.withLock { $0[name] ?? 0 } }

    /// `name=count, …` of the counts whose name starts with `prefix` (the prefix cut off).
    func named(prefix: String) -> String {
        counts.withLock { counts in
            counts.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }
                .map { "\($0.key.dropFirst(prefix.count))=\($0.value)" }.joined(separator: ", ")
        }
    }
}

/// The in-process attacker: every socket bound to one of its 11.x source addresses.
struct EclipseAttacker: Sendable {
    let plan: EclipsePlan
    let tick: Double
    let tally: Tally
    /// The sybils' Handshake announces the sybil port, so what a victim learns from a sybil
    /// session is an address the sybil listener answers on.
    let hello = WirePeer.hello(port: EclipsePlan.sybilPort, agent: "meshnode/0.1.0")

    /// Accepts every dial to any sybil address (`listener` on `0.0.0.0:8333` in the namespace: every
    /// 11.x address is local) and handshakes like a node, then answers Pings and GetPeers
    /// with sybils, until cancelled: a sybil that accepts is what steers a victim's outbound.
    func listen(on listener: Listener) async {
        let addresses = plan.sybilAddresses
        let hello = hello
        let tally = tally
        await withDiscardingTaskGroup { group in
            group.addTask(executorPreference: Reactor.shared) {
                try? await Task.sleep(for: .seconds(24 * 3600))
                await listener.close()
            }
            do {
                for try await connection in listener.connections {
                    group.addTask(executorPreference: Reactor.shared) {
                        guard await WirePeer.accept(connection, hello: hello, timeout: .seconds(5)) else {
                            await connection.close()
                            return
                        }
                        tally.add("sybil_sessions_accepted")
                        await WirePeer.serve(connection, addresses: addresses, push: false)
                    }
                }
            } catch {}
            group.cancelAll()
        }
    }

    /// Floods `victim` until cancelled: `handshaked` workers each handshake from the next
    /// attacker address and hold the session, answering Pings, and GetPeers with every sybil
    /// address (the victim asks while it is below its outbound target; a PeerList it did not
    /// ask for would end the session as `protocol_violation`); `halfOpen` workers each hold a TCP
    /// connection that never handshakes until the victim closes it, after one PeerList of
    /// sybils (a node takes one PeerList before the Handshake: a full peer's addresses before
    /// its refusal). Each reconnects from a
    /// new address (a victim throttles an IP that reconnects within 30 s), after a tick when
    /// refused.
    func flood(_ victim: SocketAddress, handshaked: Int, halfOpen: Int, firstAddress: Int, prefix: String) async {
        let cursor = LockedValue(firstAddress)
        let next: @Sendable () -> IPAddress = { [plan] in
            plan.sybil(
                cursor.withLock {
                    $0 &+= 1
                    return $0
                })
        }
        let addresses = plan.sybilAddresses
        let list = Message.peerList(Array(addresses.prefix(Message.maximumPeerListCount)))
        let pause = Duration.nanoseconds(Int64(tick * 1e9))
        let tally = tally
        let hello = hello
        await withDiscardingTaskGroup { group in
            for _ in 0..<handshaked {
                group.addTask(executorPreference: Reactor.shared) {
                    while !Task.isCancelled {
                        switch await WirePeer.handshake(from: next(), to: victim, hello: hello, timeout: .seconds(2)) {
                        case .admitted(let connection):
                            tally.add("\(prefix)attacker_inbound_admitted")
                            await WirePeer.serve(connection, addresses: addresses, push: false)
                        case .refused(let reason):
                            tally.add("\(prefix)attacker_refused_\(reason)")
                            try? await Task.sleep(for: pause)
                        case .failed:
                            try? await Task.sleep(for: pause)
                        }
                    }
                }
            }
            for _ in 0..<halfOpen {
                group.addTask(executorPreference: Reactor.shared) {
                    while !Task.isCancelled {
                        if await WirePeer.silent(from: next(), to: victim, timeout: .seconds(2), first: list) {
                            tally.add("\(prefix)attacker_half_open")
                        }
                        try? await Task.sleep(for: pause / 2)
                    }
                }
            }
        }
    }

    /// Issue #13's first attack: `count` silent sockets from one IP, each reopened when the
    /// victim closes it, at the earliest one handshake deadline (`deadline` seconds) after it
    /// was opened: a socket refused at once waits out the deadline, as in the run
    /// (144 sockets in 45 s at a 5 s deadline), so this is not a connect flood.
    func silentSockets(_ victim: SocketAddress, count: Int, deadline: Double) async {
        let tally = tally
        await withDiscardingTaskGroup { group in
            for _ in 0..<count {
                group.addTask(executorPreference: Reactor.shared) {
                    while !Task.isCancelled {
                        let opened = now()
                        if await WirePeer.silent(from: EclipsePlan.silentSource, to: victim, timeout: .seconds(2)) {
                            tally.add("silent_sockets_opened")
                        }
                        let rest = deadline - (now() - opened)
                        if rest > 0 { try? await Task.sleep(for: .nanoseconds(Int64(rest * 1e9))) }
                    }
                }
            }
        }
    }

    /// Issue #13's second attack: `count` handshaked sybils from one /24, each holding its
    /// session and coming back (from the same IP) a tick after it ends or is refused.
    func sybilsFromOneNetwork(_ victim: SocketAddress, count: Int) async {
        let tally = tally
        let hello = hello
        let pause = Duration.nanoseconds(Int64(tick * 1e9))
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask(executorPreference: Reactor.shared) {
                    let source = EclipsePlan.smallSybil(index)
                    while !Task.isCancelled {
                        if case .admitted(let connection) = await WirePeer.handshake(
                            from: source, to: victim, hello: hello, timeout: .seconds(2))
                        {
                            tally.add("sybil16_admitted")
                            await WirePeer.serve(connection, addresses: [], push: false)
                        }
                        try? await Task.sleep(for: pause)
                    }
                }
            }
        }
    }
}
