/// One taxonomy of reasons, snake_case, shared by logs, files, endpoints and metrics
/// (INTERFACE.md, "Reason codes").
///
/// A struct rather than an enum so that a code received from a newer peer in a Disconnect
/// message is still representable; the known codes are static members.
public struct ReasonCode: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The code, `snake_case`.
    public let rawValue: String

    /// The code `rawValue` (known or not).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The code itself.
    public var description: String { rawValue }

    /// Alphabetical order.
    public static func < (lhs: ReasonCode, rhs: ReasonCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Which part of the lifecycle a code belongs to.
    public enum Stage: String, Sendable {
        /// A dial not attempted.
        case skip
        /// A dial that failed in TCP.
        case dial
        /// A handshake that failed.
        case handshake
        /// An established session that ended.
        case session
        /// Admission: an inbound connection refused, or a peer let go, by the node's limits.
        case admission
    }

    /// The stage of a known code, `nil` for an unknown one.
    public var stage: Stage? {
        if ReasonCode.skipReasons.contains(self) { return .skip }
        if ReasonCode.dialReasons.contains(self) { return .dial }
        if ReasonCode.handshakeReasons.contains(self) { return .handshake }
        if ReasonCode.sessionReasons.contains(self) { return .session }
        if ReasonCode.admissionReasons.contains(self) { return .admission }
        return nil
    }
}

extension ReasonCode {
    // Skip (not attempted).
    public static let alreadyConnected = ReasonCode(rawValue: "already_connected")
    public static let alreadyConnecting = ReasonCode(rawValue: "already_connecting")
    public static let cooldownActive = ReasonCode(rawValue: "cooldown_active")
    public static let maxPeersReached = ReasonCode(rawValue: "max_peers_reached")
    public static let peerBanned = ReasonCode(rawValue: "peer_banned")
    public static let peerUnhealthy = ReasonCode(rawValue: "peer_unhealthy")
    public static let invalidAddress = ReasonCode(rawValue: "invalid_address")
    public static let selfDialBlocked = ReasonCode(rawValue: "self_dial_blocked")
    public static let loopbackBlocked = ReasonCode(rawValue: "loopback_blocked")
    public static let privateIPBlocked = ReasonCode(rawValue: "private_ip_blocked")
    public static let ipv6Blocked = ReasonCode(rawValue: "ipv6_blocked")
    public static let filteredByPolicy = ReasonCode(rawValue: "filtered_by_policy")
    public static let awaitingInbound = ReasonCode(rawValue: "awaiting_inbound")

    // Dial (TCP).
    public static let connectionRefused = ReasonCode(rawValue: "connection_refused")
    public static let timeout = ReasonCode(rawValue: "timeout")
    public static let connectionReset = ReasonCode(rawValue: "connection_reset")
    public static let connectionAborted = ReasonCode(rawValue: "connection_aborted")
    public static let notConnected = ReasonCode(rawValue: "not_connected")
    public static let addrNotAvailable = ReasonCode(rawValue: "addr_not_available")
    public static let networkUnreachable = ReasonCode(rawValue: "network_unreachable")
    public static let noRouteToHost = ReasonCode(rawValue: "no_route_to_host")
    public static let dialError = ReasonCode(rawValue: "dial_error")

    // Handshake.
    public static let handshakeTimeout = ReasonCode(rawValue: "handshake_timeout")
    public static let versionMismatch = ReasonCode(rawValue: "version_mismatch")
    public static let genesisMismatch = ReasonCode(rawValue: "genesis_mismatch")
    public static let chainIDMismatch = ReasonCode(rawValue: "chain_id_mismatch")
    public static let incompatibleChain = ReasonCode(rawValue: "incompatible_chain")
    public static let selfConnection = ReasonCode(rawValue: "self_connection")
    public static let handshakeError = ReasonCode(rawValue: "handshake_error")
    /// The embedding application's handshake hook refused the peer.
    public static let applicationRefused = ReasonCode(rawValue: "application_refused")

    // After connect.
    public static let pingTimeout = ReasonCode(rawValue: "ping_timeout")
    public static let duplicateConnection = ReasonCode(rawValue: "duplicate_connection")
    public static let protocolViolation = ReasonCode(rawValue: "protocol_violation")
    public static let slowPeer = ReasonCode(rawValue: "slow_peer")
    public static let remoteClosed = ReasonCode(rawValue: "remote_closed")
    public static let shutdown = ReasonCode(rawValue: "shutdown")
    /// The application turned networking off (`setNetworkActive(false)`).
    public static let networkInactive = ReasonCode(rawValue: "network_inactive")
    /// The application (or an operator) closed the session.
    public static let localDisconnect = ReasonCode(rawValue: "local_disconnect")

    // Operator control (the debug endpoint's disconnect and ban routes).
    public static let operatorDisconnect = ReasonCode(rawValue: "operator_disconnect")
    public static let operatorBan = ReasonCode(rawValue: "operator_ban")

    public static let skipReasons: [ReasonCode] = [
        .alreadyConnected, .alreadyConnecting, .cooldownActive, .maxPeersReached, .peerBanned, .peerUnhealthy,
        .invalidAddress, .selfDialBlocked, .loopbackBlocked, .privateIPBlocked, .ipv6Blocked, .filteredByPolicy,
        .awaitingInbound,
    ]
    public static let dialReasons: [ReasonCode] = [
        .connectionRefused, .timeout, .connectionReset, .connectionAborted, .notConnected, .addrNotAvailable,
        .networkUnreachable, .noRouteToHost, .dialError,
    ]
    public static let handshakeReasons: [ReasonCode] = [
        .handshakeTimeout, .versionMismatch, .genesisMismatch, .chainIDMismatch, .incompatibleChain,
        .selfConnection, .handshakeError, .applicationRefused,
    ]
    public static let sessionReasons: [ReasonCode] = [
        .pingTimeout, .duplicateConnection, .protocolViolation, .slowPeer, .remoteClosed, .shutdown,
        .operatorDisconnect, .operatorBan, .networkInactive, .localDisconnect,
    ]
    /// Every code INTERFACE.md names.
    public static let all: Set<ReasonCode> = Set(
        skipReasons + dialReasons + handshakeReasons + sessionReasons + admissionReasons)

    /// True for a code of the taxonomy. A peer's Disconnect may carry any snake_case text
    /// (a newer peer's code, or an attacker's invention): only known codes become metric
    /// labels and dial-failure reasons, so a peer cannot add series without limit.
    public var isKnown: Bool { ReasonCode.all.contains(self) }
}

extension ReasonCode {
    // Admission (INTERFACE.md, "A hostile network: slots, limits, bans").
    /// A non-LAN IP connected again within the inbound throttle's window (30 s).
    public static let throttled = ReasonCode(rawValue: "throttled")
    /// The IP already has a connection in its handshake.
    public static let ipLimit = ReasonCode(rawValue: "ip_limit")
    /// Its /16 (IPv6 /32) already holds its share of pending or inbound connections.
    public static let netgroupLimit = ReasonCode(rawValue: "netgroup_limit")
    /// Let go to make room for a newcomer when inbound is full.
    public static let evicted = ReasonCode(rawValue: "evicted")
    /// Connected and dropped too often lately: held off for a while (flap damping).
    public static let flapping = ReasonCode(rawValue: "flapping")

    public static let admissionReasons: [ReasonCode] = [.throttled, .ipLimit, .netgroupLimit, .evicted, .flapping]
}
