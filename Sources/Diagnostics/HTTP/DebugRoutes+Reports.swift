import Wire

/// `GET /api/p2p/why/IP` and `GET /api/p2p/funnel`: the report stores (Diagnostics/Reports),
/// read through the data source like every other route.
extension DebugRoutes {
    /// Most ticks `GET /api/p2p/funnel` lists.
    static let funnelTicksShown = 30

    /// 400 for text that is not a numeric IP, 404 for an IP the node knows nothing of.
    func why(_ text: String) async -> HTTPResponse {
        guard text.utf8.count <= 64, let address = IPAddress(parsing: text) else {
            return .error(400, "expected /api/p2p/why/IP with a numeric IPv4 or IPv6 address")
        }
        let ip = address.normalized.description
        guard let why = await source.why(ip: ip) else {
            return .error(404, "nothing is known about \(ip): not in the peer book and no decision recorded")
        }
        return .json(why.json)
    }

    /// `{last, ticks:[…] (oldest first), flapping:[{ip, until_unix}]}`.
    func funnel(_ snapshot: DebugSnapshot) -> JSONValue {
        .object([
            ("last", snapshot.funnel.last?.json ?? .null),
            ("ticks", .array(snapshot.funnel.suffix(Self.funnelTicksShown).map(\.json))),
            (
                "flapping",
                .array(
                    snapshot.flapping.map { held in
                        .object([("ip", .string(held.ip)), ("until_unix", .double(PeerWhy.rounded(held.untilUnix)))])
                    })
            ),
        ])
    }
}
