/// The JSON shapes of the report stores (docs/operations.md, "Why, funnel, ledger").
extension PeerWhy {
    /// `GET /api/p2p/why/IP`.
    public var json: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { .double(Self.rounded($0)) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        var ledger: JSONValue = .null
        if let disconnects {
            ledger = .object([
                (
                    "by_reason",
                    .array(
                        disconnects.counts.sorted {
                            ($0.key.reason, $0.key.side.rawValue) < ($1.key.reason, $1.key.side.rawValue)
                        }
                        .map { key, count in
                            .object([
                                ("reason", .string(key.reason)), ("side", .string(key.side.rawValue)),
                                ("count", .int(count)),
                            ])
                        })
                ),
                (
                    "remote_reasons",
                    .object(disconnects.remoteReasons.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
                ),
                ("last_reason", text(disconnects.lastReason)), ("last_side", text(disconnects.lastSide?.rawValue)),
                ("last_remote_reason", text(disconnects.lastRemoteReason)), ("last_unix", number(disconnects.lastUnix)),
            ])
        }
        return .object([
            ("ip", .string(ip)), ("address", text(address)), ("source", text(source)),
            ("connected", connectedDirection == nil ? .bool(false) : .bool(true)),
            ("direction", text(connectedDirection)), ("connected_since_unix", number(connectedSinceUnix)),
            ("cooldown_until_unix", number(cooldownUntilUnix)), ("banned_until_unix", number(bannedUntilUnix)),
            ("flapping_until_unix", number(flappingUntilUnix)), ("failures", failures.map { .int($0) } ?? .null),
            ("disconnects", ledger),
            ("decisions", .array(decisions.map(\.json))),
        ])
    }

    /// Milliseconds are enough for a person and keep the numbers short.
    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}

extension PeerHistory.Entry {
    /// `{ts_unix, event, …fields, repeats, last_unix}`.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("ts_unix", .double(PeerWhy.rounded(firstUnix)))]
        switch event {
        case .skipped(let reason): fields += [("event", .string("skipped")), ("reason", .string(reason))]
        case .dialed(let source): fields += [("event", .string("dialed")), ("source", .string(source))]
        case .dialFailed(let reason, let handshake, let cooldownUntil):
            fields += [
                ("event", .string(handshake ? "handshake_failed" : "dial_failed")), ("reason", .string(reason)),
                ("cooldown_until_unix", cooldownUntil.map { .double(PeerWhy.rounded($0)) } ?? .null),
            ]
        case .inboundHandshakeFailed(let reason):
            fields += [("event", .string("inbound_handshake_failed")), ("reason", .string(reason))]
        case .connected(let direction):
            fields += [("event", .string("connected")), ("direction", .string(direction))]
        case .disconnected(let reason, let side, let remoteReason):
            fields += [
                ("event", .string("disconnected")), ("reason", .string(reason)), ("side", .string(side.rawValue)),
                ("remote_reason", remoteReason.map { .string($0) } ?? .null),
                ("session_seconds", sessionSeconds.map { .double(PeerWhy.rounded($0)) } ?? .null),
            ]
        case .banned(let until, let reason):
            fields += [
                ("event", .string("banned")), ("reason", .string(reason)),
                ("until_unix", .double(PeerWhy.rounded(until))),
            ]
        case .flapping(let until):
            fields += [
                ("event", .string("flapping")), ("reason", .string("flapping")),
                ("until_unix", .double(PeerWhy.rounded(until))),
            ]
        }
        fields += [("repeats", .int(repeats)), ("last_unix", .double(PeerWhy.rounded(lastUnix)))]
        return .object(fields)
    }
}

extension Funnel.Tick {
    /// One tick of `GET /api/p2p/funnel`; `still_up_next_tick` is null until the next tick.
    public var json: JSONValue {
        .object([
            ("tick", .int(tick)), ("started_unix", .double(PeerWhy.rounded(startedUnix))), ("known", .int(known)),
            ("candidates", .int(candidates)), ("skipped", .int(skippedTotal)),
            (
                "skipped_by_reason",
                .array(
                    skipped.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { reason, count in
                        .object([("reason", .string(reason)), ("count", .int(count))])
                    })
            ),
            ("dialed", .int(dialed)), ("tcp_ok", .int(tcpOK)), ("handshake_ok", .int(handshakeOK)),
            ("still_up_next_tick", stillUpNextTick.map { .int($0) } ?? .null),
        ])
    }
}
