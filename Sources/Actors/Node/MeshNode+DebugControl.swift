import Diagnostics
import Wire

/// The debug endpoint's operator routes, carried out by the node.
extension MeshNode: DebugControl {
    public func connect(_ address: String, persist: Bool) async -> Result<Void, ConnectRefusal> {
        let parsed: SocketAddress
        do {
            parsed = try SocketAddress(parsing: address)
        } catch {
            return .failure(ConnectRefusal(reason: ReasonCode.invalidAddress.rawValue, detail: "\(error)"))
        }
        let ip = PeerIP(parsed.ip)
        let previous = await manager.knownSource(ip)
        logger.log(.info, "operator.connect", peer: parsed.description, [("persist", .bool(persist))])
        let reason = await connect(to: parsed)
        if !persist { await manager.endOneShot(ip, previous: previous) }
        guard let reason else { return .success(()) }
        return .failure(ConnectRefusal(reason: reason.rawValue, detail: "\(parsed): \(reason)"))
    }

    public func disconnect(ip text: String) async -> Result<Void, ControlError> {
        guard let ip = PeerIP(parsing: text) else { return .failure(Self.notAnIP(text)) }
        guard await manager.operatorDisconnect(ip) else {
            return .failure(ControlError(.notFound, "no session with \(ip)"))
        }
        return .success(())
    }

    public func ban(ip text: String, seconds: Int) async -> Result<BanEntry, ControlError> {
        guard let ip = PeerIP(parsing: text) else { return .failure(Self.notAnIP(text)) }
        let (until, disconnected) = await manager.operatorBan(ip, seconds: seconds)
        return .success(
            BanEntry(
                ip: ip.description, bannedUntilUnix: Int(until), reason: ReasonCode.operatorBan.rawValue,
                disconnected: disconnected))
    }

    public func unban(ip text: String) async -> Result<Void, ControlError> {
        guard let ip = PeerIP(parsing: text) else { return .failure(Self.notAnIP(text)) }
        guard await manager.operatorUnban(ip) else { return .failure(ControlError(.notFound, "\(ip) is not banned")) }
        return .success(())
    }

    public func bans() async -> [BanEntry] {
        await manager.bans.map { record in
            BanEntry(
                ip: record.ip.description, bannedUntilUnix: Int(record.bannedUntil ?? 0), reason: record.lastReason)
        }
    }

    public func settings() async -> [ConfigSetting] {
        let current = configuration
        let defaults = NodeConfiguration()
        // Named as the command line's options (without `--`); the config file's keys map to them.
        let entries: [(String, JSONValue, JSONValue)] = [
            ("listen", .string(current.listen.description), .string(defaults.listen.description)),
            (
                "debug-listen", .string(current.debugListen?.description ?? "off"),
                .string(defaults.debugListen?.description ?? "off")
            ),
            ("data-dir", .string(current.resolvedDataDirectory), .string(defaults.resolvedDataDirectory)),
            ("seed", .array(current.seeds.map { .string($0.description) }), .array([])),
            ("peer", .array(current.directPeers.map { .string($0.description) }), .array([])),
            ("chain-id", .string(current.chainID), .string(defaults.chainID)),
            ("genesis", .string(Self.hex(current.genesis.bytes)), .string(Self.hex(defaults.genesis.bytes))),
            ("min-outbound", .int(current.minimumOutbound), .int(defaults.minimumOutbound)),
            ("max-peers", .int(current.maximumPeers), .int(defaults.maximumPeers)),
            ("tick", Self.seconds(current.tick), Self.seconds(defaults.tick)),
            ("ping-interval", Self.seconds(current.pingInterval), Self.seconds(defaults.pingInterval)),
            ("ping-timeout", Self.seconds(current.pingTimeout), Self.seconds(defaults.pingTimeout)),
            ("dial-timeout", Self.seconds(current.dialTimeout), Self.seconds(defaults.dialTimeout)),
            ("handshake-timeout", Self.seconds(current.handshakeTimeout), Self.seconds(defaults.handshakeTimeout)),
            ("cooldown", Self.seconds(current.cooldownBase), Self.seconds(defaults.cooldownBase)),
            ("lan", .bool(current.lan), .bool(defaults.lan)),
            ("ipv4-only", .bool(current.ipv4Only), .bool(defaults.ipv4Only)),
            ("max-frame-size", .int(current.maximumFrameSize), .int(defaults.maximumFrameSize)),
            ("max-receive-buffer", .int(current.maximumReceiveBuffer), .int(defaults.maximumReceiveBuffer)),
            ("max-send-buffer", .int(current.maximumSendBuffer), .int(defaults.maximumSendBuffer)),
            ("debug-host-names", .array(current.debugHostNames.map { .string($0) }), .array([])),
            ("mesh-sibling", .array(current.meshSiblings.map { .string($0.description) }), .array([])),
        ]
        return entries.map { name, value, defaultValue in
            // Without a recorded source, a value equal to the default is reported as the
            // default, and any other as `unknown` (set by code embedding the node, or by a
            // builder that did not say).
            let source = current.settingSources[name] ?? (value == defaultValue ? "default" : "unknown")
            return ConfigSetting(name: name, value: value, source: source)
        }
    }

    static func notAnIP(_ text: String) -> ControlError {
        ControlError(.invalid, "'\(text)' is not a numeric IPv4 or IPv6 address")
    }

    static func seconds(_ duration: Duration) -> JSONValue {
        let (seconds, attoseconds) = duration.components
        return .double(Double(seconds) + Double(attoseconds) / 1e18)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
