import Wire

extension PeerTable {
    /// A side effect of a transition. The manager carries out a transition's actions in order,
    /// in the same step, and changes the registry only through them, so the registry always
    /// holds exactly the table's sessions.
    public enum Action: Sendable, Equatable {
        /// Session `id` becomes the registry's writer for the IP (replacing no other: a
        /// replaced session is closed by an earlier action of the same transition).
        case register(PeerIP, id: UInt64)
        /// The IP has no reachable session any more.
        case unregister(PeerIP)
        /// Close session `id` of the IP, telling the peer `reason`. It is no longer the IP's
        /// session; its task still reports its end (`sessionEnded`).
        case close(PeerIP, id: UInt64, reason: ReasonCode)
        /// Log and count an event.
        case report(Event)
    }

    /// What the manager logs and counts.
    public enum Event: Sendable, Equatable {
        case connected(PeerIP, id: UInt64, direction: Direction, listenAddress: SocketAddress)
        case disconnected(PeerIP, id: UInt64, direction: Direction, reason: ReasonCode)
        /// A dial of ours failed, in TCP (`handshake` false) or in its handshake.
        case dialFailed(SocketAddress, reason: ReasonCode, handshake: Bool)
        case inboundHandshakeFailed(PeerIP, reason: ReasonCode)
        /// Two connections with one IP: one was closed as `duplicate_connection`.
        case duplicateClosed(PeerIP)
        /// The IP broke the handshake rules too often; refused until `until` (Unix seconds).
        case banned(PeerIP, until: Double)
    }
}
