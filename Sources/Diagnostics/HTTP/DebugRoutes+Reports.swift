import Wire

/// `GET /api/p2p/why/IP` and `GET /api/p2p/funnel`: the report stores (Diagnostics/Reports),
/// read through the data source like every other route.
extension DebugRoutes {
    /// Bytes of a numeric IPv4 or IPv6 address.
    static let addressCharacters = Set("0123456789abcdefABCDEF:.".utf8)
    /// Most ticks `GET /api/p2p/funnel` lists.
    static let funnelTicksShown = 30

    /// 400 for text that is not a numeric IP, 404 for an IP the node knows nothing of.
    func why(_ segment: String) async -> HTTPResponse {
        // A browser sends an IPv6 address's colons as %3A (encodeURIComponent).
        // Only the characters of a numeric address reach the parser: inet_pton reads a C string,
        // so "10.0.0.1%00junk" would otherwise parse as 10.0.0.1.
        guard segment.utf8.count <= 192, let text = Self.percentDecoded(segment), text.utf8.count <= 64,
            text.utf8.allSatisfy({ Self.addressCharacters.contains($0) }), let address = IPAddress(parsing: text)
        else {
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

    /// `segment` with its `%HH` escapes decoded, or nil for a malformed escape or a result
    /// that is not UTF-8.
    static func percentDecoded(_ segment: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = segment.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
