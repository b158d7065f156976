import Actors
import Diagnostics
import Dispatch
import Wire

/// Keeps `--peer` and `--seed` host names pointing at the right addresses, as bitcoind keeps
/// retrying an `-addnode` name: each name is resolved as the node starts (the node does not
/// wait for it: a slow or absent DNS server delays nothing else), and again whenever none of
/// its addresses holds a session (for a seed: whenever the node has no peer at all), with a
/// wait doubling from one tick to a minute between tries. A new address is added to the peer
/// book with the name's source and dialed. A name that does not resolve is logged with the
/// resolver's reason (`peer.unresolved`), never fatal. getaddrinfo blocks, so it runs on a
/// Dispatch thread, never on the reactor.
struct NamedPeerResolver: Sendable {
    let names: [NamedPeer]
    let logger: Logger
    /// The first wait between tries (the node's tick, at least 1 s).
    let firstWait: Duration
    static let longestWait: Duration = .seconds(60)
    /// getaddrinfo off the reactor (``resolve(_:)``); tests give their own answers.
    var lookUp: @Sendable (String) async -> Result<[IPAddress], Posix.ResolveError> = Self.resolve
    /// The addresses this node can dial: with `--listen` on an IPv4 address (the source of
    /// every dial) only IPv4, and so on; `localhost` answers both 127.0.0.1 and ::1.
    var dialable: @Sendable (IPAddress) -> Bool = { _ in true }

    /// Keeps the addresses a node with `configuration` can dial.
    static func dialable(for configuration: NodeConfiguration) -> @Sendable (IPAddress) -> Bool {
        let source = configuration.sourceIP
        let ipv4Only = configuration.ipv4Only
        return { ip in
            if let source { return ip.isIPv4 == source.isIPv4 }
            return !ipv4Only || ip.isIPv4
        }
    }

    /// Resolves `host` on a Dispatch thread (the debug endpoint's connect route uses the same).
    static func resolve(_ host: String) async -> Result<[IPAddress], Posix.ResolveError> {
        await HostLookup.resolve(host)
    }

    /// Until cancelled: resolves every name now, then again those whose addresses hold no
    /// session. `known`: addresses already given to the node for a name (looked up later).
    func run(node: MeshNode, known: [String: Set<SocketAddress>] = [:]) async {
        guard !names.isEmpty else { return }
        var addresses = known
        var waits = Dictionary(names.map { ($0.description, firstWait) }, uniquingKeysWith: { a, _ in a })
        let start = ContinuousClock.now
        var due = Dictionary(
            names.map { ($0.description, known[$0.description] == nil ? start : start + firstWait) },
            uniquingKeysWith: { a, _ in a })
        while !Task.isCancelled {
            let sessions = await node.manager.sessions
            for name in names {
                let key = name.description
                let mine = addresses[key] ?? []
                let satisfied =
                    name.source == .seed
                    ? !sessions.isEmpty : mine.contains { sessions[PeerIP($0.ip)] != nil }
                if satisfied {
                    waits[key] = firstWait
                    continue
                }
                guard ContinuousClock.now >= due[key] ?? .now else { continue }
                let wait = waits[key] ?? firstWait
                waits[key] = min(wait * 2, Self.longestWait)
                due[key] = ContinuousClock.now + wait
                switch await lookUp(name.host) {
                case .failure(let error):
                    logger.log(
                        .warning, "peer.unresolved",
                        [
                            ("name", .string(key)), ("source", .string(name.source.rawValue)),
                            ("error", .string(error.reason)), ("retry_seconds", .int(Int(wait.components.seconds))),
                        ])
                case .success(let ips):
                    let fresh = ips.filter(dialable).map { SocketAddress(ip: $0, port: name.port) }.filter {
                        !mine.contains($0)
                    }
                    guard !fresh.isEmpty else { continue }
                    addresses[key, default: []].formUnion(fresh)
                    for address in fresh {
                        logger.log(
                            .info, "peer.resolved", peer: address.description,
                            [("name", .string(key)), ("source", .string(name.source.rawValue))])
                        // Into the book with the name's source, and dialed now.
                        await node.connect(to: address, source: name.source, bypassCooldown: true)
                    }
                }
            }
            do {
                try await Task.sleep(for: firstWait)
            } catch {
                return
            }
        }
    }
}
