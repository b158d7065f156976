/// One thing that happened to a peer, as the report stores (`PeerHistory`, `Funnel`,
/// `DisconnectLedger`, `FlapDamper`) record it. Plain strings (reason codes, sources,
/// directions): Diagnostics knows nothing of the actors that decide them.
public enum PeerDecision: Sendable, Equatable {
    /// A dial was considered and not made (a skip reason code).
    case skipped(reason: String)
    /// A dial was started, for a peer of this source.
    case dialed(source: String)
    /// A dial of ours failed, in TCP (`handshake` false) or in its handshake; the peer then
    /// cools down until `cooldownUntil` (Unix seconds) if the book set one.
    case dialFailed(reason: String, handshake: Bool, cooldownUntil: Double?)
    /// An inbound connection failed its handshake.
    case inboundHandshakeFailed(reason: String)
    /// A session was established (`inbound` or `outbound`).
    case connected(direction: String)
    /// A session ended: why, who ended it, and the reason the peer gave in its Disconnect.
    case disconnected(reason: String, side: DisconnectSide, remoteReason: String?)
    /// The peer is refused until `until` (Unix seconds).
    case banned(until: Double, reason: String)
    /// The peer connected and dropped too often; held off until `until` (Unix seconds).
    case flapping(until: Double)
}

/// Who ended a session.
public enum DisconnectSide: String, Sendable, CaseIterable, Hashable {
    /// This node decided (ping timeout, a rule broken, a duplicate, shutdown, the operator).
    case local
    /// The peer hung up, sent a Disconnect, or the connection was cut under us.
    case remote

    /// Reasons that mean the other end (or the path) ended the session; every other reason is
    /// a decision of this node.
    public static let remoteReasons: Set<String> = [
        "remote_closed", "connection_reset", "connection_aborted", "not_connected",
    ]

    /// The side of a session end with this reason code. A session the peer ended with a
    /// Disconnect ends as `remote_closed` (its own reason is kept beside it, not instead).
    public static func of(reason: String) -> DisconnectSide {
        remoteReasons.contains(reason) ? .remote : .local
    }
}
