import Wire

/// Who is where in the eclipse lab. Every address is in 11.0.0.0/8, on `lo` inside the
/// scenario's own network namespace, so every node is "public" (no `--lan`) and each second
/// octet is its own /16. By second octet:
///
/// | octets | who |
/// |---|---|
/// | 1…G (G = `--sybil-groups`) | the attacker's addresses: `--sybils` of them, 11.g.k.1 |
/// | 101 | the 16 silent sockets (one IP) |
/// | 102 | the 16 handshaked sybils (one /24) |
/// | 110…110+N−1 | the honest nodes, 11.h.0.1 |
/// | 200…219 | honest newcomers dialing a trial's victim |
/// | 220…229 | honest newcomers dialing the small attacks' victims |
/// | 230+t mod 10 | trial t's fresh node (11.x.(t/10).1), seeded only by its victim |
/// | 240+t mod 10 | trial t's victim (11.x.(t/10).1) |
/// | 250, 251 | the victims of the 16-socket and the 16-sybil attacks |
///
/// The attacker's /16s sort below the honest ones on purpose: a planner that picks in IP
/// order (what issue #13 found) then picks them first, and a random one does not care.
struct EclipsePlan: Sendable {
    let honestCount: Int
    let sybilCount: Int
    let sybilGroups: Int

    /// The port every sybil listens on (one wildcard listener answers for all of them).
    static let sybilPort: UInt16 = 8333
    static let maximumHonest = 90
    static let maximumSybilGroups = 100
    static let maximumConcurrentTrials = 10

    static func v4(_ b: Int, _ c: Int, _ d: Int) -> IPAddress {
        .v4(0x0B00_0000 | UInt32(b & 0xFF) << 16 | UInt32(c & 0xFF) << 8 | UInt32(d & 0xFF))
    }

    func honest(_ index: Int) -> IPAddress { Self.v4(110 + index, 0, 1) }

    /// Attacker address `index` (0…sybilCount−1): consecutive indices land in different /16s.
    func sybil(_ index: Int) -> IPAddress {
        let slot = index % sybilCount
        let inGroup = slot / sybilGroups
        return Self.v4(1 + slot % sybilGroups, inGroup % 256, 1 + inGroup / 256)
    }

    /// Every attacker address, as advertised (the sybil port).
    var sybilAddresses: [SocketAddress] {
        (0..<sybilCount).map { SocketAddress(ip: sybil($0), port: Self.sybilPort) }
    }

    static let silentSource = v4(101, 0, 1)
    static func smallSybil(_ index: Int) -> IPAddress { v4(102, 0, 1 + index) }

    /// Honest newcomer `index` of trial `trial` (distinct IPs: a node throttles an IP that
    /// reconnects within 30 s).
    static func newcomer(_ index: Int, trial: Int) -> IPAddress { v4(200 + index % 20, index / 20, 1 + trial) }
    static func smallNewcomer(_ index: Int, attack: Int) -> IPAddress { v4(220 + index % 10, index / 10, 1 + attack) }
    /// Trial t's nodes: the /16 by t mod 10 (a wave runs at most 10 trials, each in its own
    /// /16), the third octet by t / 10.
    static func fresh(_ trial: Int) -> IPAddress { v4(230 + trial % 10, trial / 10, 1) }
    static func victim(_ trial: Int) -> IPAddress { v4(240 + trial % 10, trial / 10, 1) }
    static let silentVictim = v4(250, 0, 1)
    static let sybilVictim = v4(251, 0, 1)

    /// Whether `ip` is one of the attacker's (the big attack's or a small one's).
    func isAttacker(_ ip: IPAddress) -> Bool {
        guard case .v4(let value) = ip, value >> 24 == 11 else { return false }
        let group = Int(value >> 16 & 0xFF)
        return (1...sybilGroups).contains(group) || group == 101 || group == 102
    }
}
