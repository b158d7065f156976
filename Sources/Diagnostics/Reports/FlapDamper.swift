/// Holds off a peer that connects and drops again and again (reason `flapping`): more than
/// `maximumDrops` session ends within `window` seconds start a hold of `baseHold` seconds,
/// doubling with each hold up to `maximumHold`. A peer is its IP, so two nodes behind one
/// IP that knock each other off are damped as one.
///
/// Drops that this node caused on purpose (`shutdown`, operator actions) do not count.
/// Bounded: at most `maximumDrops + 1` drop times per IP and `peerLimit` IPs, of which a
/// held-off one is the last to be forgotten. Time is the caller's (`now`, Unix seconds).
public struct FlapDamper: Sendable {
    public struct Policy: Sendable, Equatable {
        /// Drops allowed within `window`; one more starts a hold.
        public var maximumDrops: Int
        public var window: Double
        public var baseHold: Double
        public var maximumHold: Double

        public init(maximumDrops: Int = 5, window: Double = 600, baseHold: Double = 60, maximumHold: Double = 3600) {
            self.maximumDrops = max(1, maximumDrops)
            self.window = max(0, window)
            self.baseHold = max(0, baseHold)
            self.maximumHold = max(self.baseHold, maximumHold)
        }
    }

    struct State: Sendable {
        var drops: [Double] = []
        var holdUntil: Double?
        /// Holds so far; reset after `maximumHold` without a drop.
        var holds = 0
        var lastDrop: Double?
    }

    /// Session ends that are this node's own choice, not the peer's instability.
    public static let ignoredReasons: Set<String> = ["shutdown", "operator_disconnect", "operator_ban"]

    public let policy: Policy
    private var peers: BoundedPeerMap<State>

    public init(policy: Policy = Policy(), peerLimit: Int = 1024) {
        self.policy = policy
        self.peers = BoundedPeerMap(capacity: peerLimit)
    }

    /// Records a session end of `ip`; returns the end of a hold this drop started, if any.
    @discardableResult
    public mutating func recordDrop(ip: String, reason: String, now: Double) -> Double? {
        guard !Self.ignoredReasons.contains(reason) else { return nil }
        let policy = policy
        return peers.update(ip, initial: { State() }, keep: { ($0.holdUntil ?? -.infinity) > now }) { state in
            if let last = state.lastDrop, now - last > policy.maximumHold { state.holds = 0 }
            state.lastDrop = now
            state.drops.removeAll { now - $0 > policy.window }
            state.drops.append(now)
            if state.drops.count > policy.maximumDrops + 1 { state.drops.removeFirst() }
            guard state.drops.count > policy.maximumDrops else { return nil }
            var hold = policy.baseHold
            for _ in 0..<min(state.holds, 32) where hold < policy.maximumHold { hold *= 2 }
            let until = now + min(hold, policy.maximumHold)
            state.holds += 1
            state.holdUntil = until
            state.drops = []
            return until
        }
    }

    /// The end of the hold on `ip` if it is held off at `now`.
    public func holdUntil(ip: String, now: Double) -> Double? {
        guard let until = peers[ip]?.holdUntil, until > now else { return nil }
        return until
    }

    /// Every IP held off at `now`, with the end of its hold, soonest first.
    public func held(now: Double) -> [(ip: String, until: Double)] {
        peers.all.compactMap { entry in entry.value.holdUntil.flatMap { $0 > now ? (entry.ip, $0) : nil } }
            .sorted { ($0.until, $0.ip) < ($1.until, $1.ip) }
    }
}
