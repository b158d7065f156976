import Diagnostics
import Wire

/// Policy skips of the dials an operator asked for (`POST /api/p2p/connect`,
/// `meshnode connect`, `--peer`, named `--peer`/`--seed` once resolved) go into the
/// dial-failure ring (`dial_failures` of `GET /api/p2p/debug`) with their reason and source:
/// the operator asked for that peer and must see why it is never dialed. Skips of the peers
/// the maintainer picks from gossip and the book stay in the cycle report only; in the ring
/// they would push out every real failure.
extension ConnectionManager {
    /// Skips decided by this node's rules rather than by the peer's state (a cooldown, a
    /// session already up).
    static let policySkips: Set<ReasonCode> = [
        .selfDialBlocked, .loopbackBlocked, .privateIPBlocked, .ipv6Blocked, .peerBanned, .invalidAddress,
        .filteredByPolicy,
    ]

    /// Records `reason` for `address` if it is a policy skip of an operator's dial: a dial
    /// made now on request (`manual`, each one recorded) or a `--peer` (`direct`) the
    /// maintainer retries every tick, recorded once while the ring still holds it.
    func noteOperatorSkip(_ address: SocketAddress, source: PeerSource, reason: ReasonCode, manual: Bool) {
        guard Self.policySkips.contains(reason), manual || source == .direct else { return }
        let failure = DialFailure(
            address: address.description, reason: reason.rawValue, timestampUnix: Int(Self.now()),
            source: source.rawValue)
        if !manual,
            tracker.failures.contains(where: {
                $0.address == failure.address && $0.reason == failure.reason && $0.source == failure.source
            })
        {
            return
        }
        tracker.record(failure)
    }
}
