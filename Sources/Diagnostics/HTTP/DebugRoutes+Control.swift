import Wire

/// The operator routes: connect, disconnect, ban, unban (POST), the ban list and the
/// settings (GET). Request and answer shapes are in docs/operations.md.
extension DebugRoutes {
    /// The longest ban accepted: ten years.
    static let maximumBanSeconds = 10 * 365 * 86_400
    /// A ban without `seconds`: 24 h, as bitcoind's setban.
    static let defaultBanSeconds = 86_400

    /// A POST: cookie, JSON media type, a JSON object body, then the action.
    func change(_ request: HTTPRequest) async -> HTTPResponse {
        if let refusal = access.authorization(for: request) { return refusal }
        if let refusal = access.mediaTypeRefusal(for: request) { return refusal }
        let body: JSONValue
        do {
            body = try JSONValue.parse(request.body)
        } catch {
            return .error(400, "the body is not valid JSON: \(error)")
        }
        guard case .object = body else { return .error(400, "the body must be a JSON object") }
        guard let control else { return .error(501, "\(request.path) is not available on this node") }
        switch request.path {
        case "/api/p2p/connect": return await connect(body, control)
        case "/api/p2p/disconnect":
            guard let ip = body["ip"]?.stringValue else { return .error(400, "expected {\"ip\":\"IP\"}") }
            return answer(await control.disconnect(ip: ip)) {
                .object([("ip", .string(ip)), ("disconnected", .bool(true))])
            }
        case "/api/p2p/ban": return await ban(body, control)
        default:
            guard let ip = body["ip"]?.stringValue else { return .error(400, "expected {\"ip\":\"IP\"}") }
            return answer(await control.unban(ip: ip)) { .object([("ip", .string(ip)), ("unbanned", .bool(true))]) }
        }
    }

    private func connect(_ body: JSONValue, _ control: any DebugControl) async -> HTTPResponse {
        guard let address = body["peer_addr"]?.stringValue else {
            return .error(400, "expected a JSON body {\"peer_addr\":\"HOST:PORT\", \"persist\": false}")
        }
        var persist = false
        if let value = body["persist"] {
            guard let flag = value.boolValue else { return .error(400, "\"persist\" must be true or false") }
            persist = flag
        }
        // A host name is looked up off the reactor, IPv4 first (as `meshnode connect` does), and
        // its address dialed; the answer names both.
        var dialed = address
        if let (host, port) = HostLookup.split(address) {
            switch await HostLookup.resolve(host) {
            case .success(let ips):
                guard let ip = ips.first(where: \.isIPv4) ?? ips.first else {
                    return Self.refused(address, persist, detail: "\(host) has no address")
                }
                dialed = SocketAddress(ip: ip, port: port).description
            case .failure(let error):
                return Self.refused(address, persist, detail: "\(error)")
            }
        }
        let resolved: [(String, JSONValue)] = dialed == address ? [] : [("resolved_addr", .string(dialed))]
        switch await control.connect(dialed, persist: persist) {
        case .success:
            return .json(
                .object(
                    [("peer_addr", .string(address))] + resolved + [
                        ("connected", .bool(true)), ("reason", .null), ("persist", .bool(persist)),
                    ]))
        case .failure(let refusal):
            return .json(
                .object(
                    [("peer_addr", .string(address))] + resolved + [
                        ("connected", .bool(false)), ("reason", .string(refusal.reason)),
                        ("detail", .string(refusal.detail)), ("persist", .bool(persist)),
                    ]))
        }
    }

    /// A name that does not resolve: `invalid_address`, with the resolver's reason and the
    /// forms the route takes.
    private static func refused(_ address: String, _ persist: Bool, detail: String) -> HTTPResponse {
        .json(
            .object([
                ("peer_addr", .string(address)), ("connected", .bool(false)),
                ("reason", .string(ReasonCode.invalidAddress.rawValue)),
                (
                    "detail",
                    .string("\(detail) (peer_addr: IPv4:PORT, [IPv6]:PORT or a host name HOST:PORT)")
                ), ("persist", .bool(persist)),
            ]))
    }

    private func ban(_ body: JSONValue, _ control: any DebugControl) async -> HTTPResponse {
        guard let ip = body["ip"]?.stringValue else {
            return .error(400, "expected {\"ip\":\"IP\", \"seconds\": N}")
        }
        var seconds = Self.defaultBanSeconds
        if let value = body["seconds"] {
            guard let number = value.intValue, number > 0, number <= Self.maximumBanSeconds else {
                return .error(400, "\"seconds\" must be a whole number from 1 to \(Self.maximumBanSeconds)")
            }
            seconds = number
        }
        return answer(await control.ban(ip: ip, seconds: seconds)) { entry in
            .object([
                ("ip", .string(entry.ip)), ("banned_until_unix", .int(entry.bannedUntilUnix)),
                ("disconnected", .bool(entry.disconnected)),
            ])
        }
    }

    func bans() async -> HTTPResponse {
        guard let control else { return .error(501, "the ban list is not available on this node") }
        let entries = await control.bans()
        return .json(
            .object([
                (
                    "bans",
                    .array(
                        entries.map { entry in
                            .object([
                                ("ip", .string(entry.ip)), ("banned_until_unix", .int(entry.bannedUntilUnix)),
                                ("reason", entry.reason.map { .string($0) } ?? .null),
                            ])
                        })
                ), ("count", .int(entries.count)),
            ]))
    }

    func settings() async -> HTTPResponse {
        guard let control else { return .error(501, "the settings are not available on this node") }
        let settings = await control.settings()
        return .json(
            .object([
                (
                    "settings",
                    .object(
                        settings.map { setting in
                            (setting.name, .object([("value", setting.value), ("source", .string(setting.source))]))
                        })
                )
            ]))
    }

    private func answer<Value>(_ result: Result<Value, ControlError>, _ render: (Value) -> JSONValue) -> HTTPResponse {
        switch result {
        case .success(let value): return .json(render(value))
        case .failure(let error): return .error(error.kind == .invalid ? 400 : 404, error.message)
        }
    }
}
