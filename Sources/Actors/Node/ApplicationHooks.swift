import Wire

/// What the embedding application plugs into every connection of a node: its handshake
/// bytes, its check of a peer's handshake, and where payloads go. Shared by all sessions.
final class ApplicationHooks: Sendable {
    /// Sent in every Handshake from now on (at most `Message.maximumApplicationDataLength`).
    let handshakeData: LockedValue<[UInt8]>
    let validator = LockedValue<(@Sendable (ConnectedPeer) -> String?)?>(nil)
    let channels: ChannelHub

    init(handshakeData: [UInt8], channels: ChannelHub) {
        self.handshakeData = LockedValue(handshakeData)
        self.channels = channels
    }
}
