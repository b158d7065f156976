import Actors
import Diagnostics
import Wire

/// A meshnode peer, embedded in an application: it connects to peers over TCP, checks their
/// handshakes, keeps the mesh alive, and carries the application's bytes on numbered
/// channels.
///
/// ```swift
/// let node = try Node(configuration: .init(listen: try SocketAddress(parsing: "127.0.0.1:7071")))
/// let running = Task { await node.run() }
/// for await (peer, bytes) in node.subscribe(channel: 1) { … }
/// await node.shutdown()
/// await running.value
/// ```
///
/// Every method may be called from any task, before or during ``run()``.
public final class Node: Sendable {
    /// The newest wire protocol version this build speaks.
    public static let currentProtocolVersion = Handshake.currentProtocolVersion
    /// The oldest wire protocol version this build speaks.
    public static let minimumProtocolVersion = Handshake.minimumSupportedProtocolVersion
    /// The most application bytes a handshake carries.
    public static let maximumHandshakeData = Message.maximumApplicationDataLength

    let node: MeshNode

    /// Binds the listen address and loads the peer book; the node does nothing more until
    /// ``run()``. Throws ``StartError`` when it cannot listen or the configuration is refused.
    public init(configuration: Configuration) throws(StartError) {
        let logger = configuration.logsToStandardError ? Logger(minimumLevel: .info) : .silent
        do {
            node = try MeshNode(
                configuration: configuration.nodeConfiguration, logger: logger,
                persist: configuration.dataDirectory != nil)
        } catch {
            throw StartError(description: error.description)
        }
        node.dropPayloadsOfUnsubscribedChannels()
    }

    /// Why a node could not start.
    public struct StartError: Error, Sendable, CustomStringConvertible {
        /// What went wrong and what to change.
        public let description: String
    }

    /// The bound listen address (the real port when 0 was asked for).
    public var listenAddress: SocketAddress { node.listenAddress }

    /// Runs the node until ``shutdown()``: accepts and dials peers and serves their sessions.
    /// Returns once every session and task has ended.
    public func run() async {
        await node.run()
    }

    /// Tells every peer (Disconnect `shutdown`), stops, and waits until ``run()`` has
    /// returned; every stream of this node then ends.
    public func shutdown() async {
        await node.shutdown()
    }

    // MARK: Events

    /// A new subscription to peer events from now on (see ``PeerEvents`` for its buffer).
    public func events() -> PeerEvents {
        node.events()
    }

    /// The connected peers, as their handshakes described them.
    public func peers() async -> [ConnectedPeer] {
        await node.peers()
    }

    // MARK: Channels

    /// The payloads of `channel` from now on, as `(peer, bytes)`; each peer may have at most
    /// ``Configuration/channelBufferBytes`` waiting, then the node stops reading it until this
    /// stream is drained below half. Subscribing to a channel again ends the previous
    /// subscription. Payloads of a channel nobody subscribed to are dropped once they arrive.
    public func subscribe(channel: UInt16) -> ChannelPayloads {
        node.subscribe(channel: channel)
    }

    /// Sends `payload` on `channel` to `peer`; false if it is not connected or its send buffer
    /// is full.
    @discardableResult
    public func send(_ payload: [UInt8], channel: UInt16, to peer: PeerIP) async -> Bool {
        await node.send(payload, channel: channel, to: peer)
    }

    /// Sends `payload` on `channel` to every connected peer but `excluded`; returns how many
    /// took it.
    @discardableResult
    public func broadcast(_ payload: [UInt8], channel: UInt16, except excluded: PeerIP? = nil) async -> Int {
        await node.broadcast(payload, channel: channel, except: excluded)
    }

    // MARK: Handshake

    /// Replaces the application bytes of the handshakes sent from now on; false (nothing
    /// changed) if longer than ``maximumHandshakeData``.
    @discardableResult
    public func setHandshakeData(_ bytes: [UInt8]) -> Bool {
        node.setHandshakeData(bytes)
    }

    /// Installs the check of a peer's handshake, run after the node's own checks passed:
    /// return nil to admit the peer, or a reason to refuse it (the peer is told
    /// `application_refused`; the reason is logged). Must be quick and must not block: it runs
    /// on the node's network thread.
    public func setHandshakeValidator(_ validator: (@Sendable (ConnectedPeer) -> String?)?) {
        node.setHandshakeValidator(validator)
    }

    // MARK: Control

    /// Dials `address` now. With `persist` it becomes one of ``Configuration/peers``: redialed
    /// whenever the session ends, kept across restarts (with a ``Configuration/dataDirectory``).
    /// Without, it is one known address among others, which the node may dial again when it
    /// needs peers. Returns nil once a session is established, else why not (`peer_banned`,
    /// `connection_refused`, `application_refused`, …).
    @discardableResult
    public func connect(_ address: SocketAddress, persist: Bool = false) async -> ReasonCode? {
        await node.connect(address, persist: persist)
    }

    /// Closes the session with `peer` (it is told `local_disconnect`); false if there was none.
    @discardableResult
    public func disconnect(_ peer: PeerIP) async -> Bool {
        await node.disconnect(peer)
    }

    /// Refuses `peer` for `duration`: its session is closed, its dials and connections are
    /// refused until then. `reason` is logged and carried by the ``PeerEvent/banned(_:until:reason:)``
    /// event. Returns the end of the ban, Unix seconds.
    @discardableResult
    public func ban(_ peer: PeerIP, reason: String, duration: Duration) async -> Double {
        await node.ban(peer, reason: reason, duration: duration)
    }

    /// Lifts a ban early; false if `peer` was not banned.
    @discardableResult
    public func unban(_ peer: PeerIP) async -> Bool {
        await node.unban(peer)
    }

    /// Networking on or off, as bitcoind's `setnetworkactive`: off closes every session
    /// (`network_inactive`) and refuses every dial and inbound connection until on again.
    public func setNetworkActive(_ active: Bool) async {
        await node.setNetworkActive(active)
    }

    /// Whether networking is on.
    public var isNetworkActive: Bool {
        get async { await node.isNetworkActive }
    }
}
