/// Where the node learned of a peer (INTERFACE.md, "Sources of a peer").
public enum PeerSource: String, Sendable, Codable, CaseIterable, Comparable {
    case seed
    case peerBook = "peer_book"
    case direct
    case gossip
    case handshake

    public static func < (lhs: PeerSource, rhs: PeerSource) -> Bool { lhs.rank < rhs.rank }

    /// Trust order when one address is learned from several sources: operator-given first.
    var rank: Int {
        switch self {
        case .direct: return 0
        case .seed: return 1
        case .peerBook: return 2
        case .handshake: return 3
        case .gossip: return 4
        }
    }

    /// Seeds and direct peers are dialed at once even by the lower IP (a node below every
    /// seed must be able to join).
    var dialsImmediately: Bool { self == .seed || self == .direct }
}

/// Which side opened a connection.
public enum Direction: String, Sendable, Codable {
    /// The peer dialed us.
    case inbound
    /// We dialed the peer.
    case outbound
}
