import Diagnostics
import Wire

/// Why a node could not start.
public struct NodeStartError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// 1: runtime (port in use, unwritable data dir); 2: configuration.
    public let exitStatus: Int32
}

/// A meshnode as a library object: start it from a configuration, receive application
/// payloads as an `AsyncSequence`, send or broadcast bytes, read stats, shut it down.
///
/// ```swift
/// let node = try MeshNode(configuration: configuration)
/// async let running: Void = node.run()
/// for await (peer, bytes) in node.payloads { … }
/// await node.shutdown()
/// ```
public final class MeshNode: Sendable {
    public let configuration: NodeConfiguration
    public let reactor: Reactor
    public let manager: ConnectionManager
    public var registry: PeerRegistry { manager.registry }
    /// Application payloads from every peer, in arrival order per peer, of every channel no
    /// one subscribed to (``subscribe(channel:)``). Unbounded: an application that uses it must
    /// keep up.
    public let payloads: Payloads
    /// The application's handshake bytes, handshake check and channel subscriptions.
    let application: ApplicationHooks
    /// The bound P2P address (the real port when 0 was asked for).
    public let listenAddress: SocketAddress
    let listener: Listener
    let logger: Logger
    let store: PeerBookStore?
    let context: PeerConnection.Context
    let starts: AsyncStream<SessionStart>
    let startsContinuation: AsyncStream<SessionStart>.Continuation
    let stopRequested = Completion()
    let finished = Completion()
    let started = Completion()
    let lastCycle = LockedValue<CycleSummary?>(nil)
    let sessionTasks = LockedValue(0)
    /// Failing writes of the peer book and the report files.
    let fileWrites = LockedValue(FileWriteHealth())
    /// Unix seconds at init.
    let startedAt = ConnectionManager.now()
    let debugListener: ByteListener?
    /// The secret state-changing debug routes require (`Authorization: Bearer <cookie>`):
    /// 64 hex digits, fresh at every start, written to `<data-dir>/.cookie` while running.
    public let debugCookie: String

    enum SessionStart: Sendable {
        case inbound(Connection)
        /// A dial's connection after its handshake; `established` false if the handshake failed.
        case outbound(PeerConnection, established: Bool)
    }

    /// Binds the listener and loads the peer book; `persist: false` keeps the book in memory.
    public init(
        configuration: NodeConfiguration, reactor: Reactor = .shared, logger: Logger = .silent, persist: Bool = true
    ) throws(NodeStartError) {
        self.configuration = configuration
        self.reactor = reactor
        self.logger = logger
        let book = Self.loadBook(configuration: configuration, logger: logger, persist: persist)
        let store = persist ? PeerBookStore(dataDirectory: configuration.resolvedDataDirectory) : nil
        self.store = store
        let loadedBook = try book.get()
        // Read (and deleted) before anything is dialed: anchors come first.
        let anchors = persist ? AnchorStore(dataDirectory: configuration.resolvedDataDirectory).take() : []
        if !anchors.isEmpty {
            logger.log(.info, "anchors.loaded", [("peers", .string(anchors.map(\.description).joined(separator: " ")))])
        }
        let manager = ConnectionManager(
            configuration: configuration, reactor: reactor, logger: logger, book: loadedBook, anchors: anchors)
        self.manager = manager
        guard configuration.minimumProtocolVersion <= configuration.protocolVersion else {
            throw NodeStartError(
                description: "minimum protocol version \(configuration.minimumProtocolVersion) is above the current "
                    + "version \(configuration.protocolVersion): no peer could ever agree",
                exitStatus: 2)
        }
        guard configuration.handshakeData.count <= Message.maximumApplicationDataLength else {
            throw NodeStartError(
                description: "handshake data of \(configuration.handshakeData.count) bytes; at most "
                    + "\(Message.maximumApplicationDataLength) fit in a handshake",
                exitStatus: 2)
        }
        (payloads, context, application) = {
            let channel = PayloadChannel()
            let application = ApplicationHooks(
                handshakeData: configuration.handshakeData,
                channels: ChannelHub(catchAll: channel, highWatermark: configuration.channelBufferBytes))
            let context = PeerConnection.Context(
                configuration: configuration, nonce: UInt64.random(in: 1...UInt64.max), manager: manager,
                payloads: channel, logger: logger, application: application)
            return (Payloads(channel: channel), context, application)
        }()
        // A channel subscription that falls behind pauses reading the peer it holds too much of.
        application.channels.onPressure { [registry = manager.registry] ip, paused in
            reactor.execute {
                registry.onLoop((ip, paused)) { registry, pressure in registry.setReadingPaused(pressure.0, pressure.1)
                }
            }
        }
        (starts, startsContinuation) = AsyncStream<SessionStart>.makeStream()
        do {
            listener = try Listener(
                bindingTo: configuration.listen, reactor: reactor,
                connectionOptions: configuration.connectionOptions)
        } catch {
            throw NodeStartError(
                description: "cannot listen on \(configuration.listen): \(error); choose another --listen HOST:PORT",
                exitStatus: 1)
        }
        listenAddress = listener.localAddress
        do {
            debugCookie = try Posix.randomBytes(32).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        } catch {
            throw NodeStartError(description: "cannot make the debug cookie: \(error)", exitStatus: 1)
        }
        if let debugAddress = configuration.debugListen {
            do {
                debugListener = try ByteListener(bindingTo: debugAddress, backlog: 64, reactor: reactor)
            } catch {
                throw NodeStartError(
                    description: "cannot listen on \(debugAddress) for the debug endpoint: \(error); "
                        + "choose another --debug-listen HOST:PORT or 'off'",
                    exitStatus: 1)
            }
        } else {
            debugListener = nil
        }
    }

    /// Where the debug endpoint listens, if enabled.
    public var debugAddress: SocketAddress? { debugListener?.localAddress }

    /// The book at start: the persisted one (its entries now of source `peer_book`), then
    /// `--peer` (direct, cooldown cleared), then seeds. (Dial order: anchors, the persisted
    /// book, `--peer`, seeds; `ConnectionManager.planCycle`.)
    static func loadBook(
        configuration: NodeConfiguration, logger: Logger, persist: Bool
    ) -> Result<PeerBook, NodeStartError> {
        var book = PeerBook(configuration: AddressManager.Configuration(groupsByAddress: configuration.lan))
        if persist {
            let directory = configuration.resolvedDataDirectory
            do {
                try Posix.makeDirectories(directory)
            } catch {
                return .failure(
                    NodeStartError(
                        description: "cannot create data directory \(directory): \(error); choose another --data-dir",
                        exitStatus: 1))
            }
            guard Posix.isWritable(directory) else {
                return .failure(
                    NodeStartError(
                        description: "data directory \(directory) is not writable; choose another --data-dir",
                        exitStatus: 1))
            }
            // Writes cut short by a crash left their temporary files; the real files are intact.
            let leftovers =
                Posix.removeStaleTemporaries(in: directory)
                + Posix.removeStaleTemporaries(in: directory + "/public")
            if !leftovers.isEmpty {
                logger.log(
                    .info, "datadir.stale_temporaries_removed",
                    [("count", .int(leftovers.count)), ("files", .string(leftovers.joined(separator: " ")))])
            }
            // The address manager's secret first: the book's entries are placed by it.
            do {
                let (key, outcome) = try AddressKeyStore(dataDirectory: directory).loadOrCreate()
                book = PeerBook(key: key, configuration: book.addresses.configuration)
                if outcome == .replacedInvalid {
                    logger.log(
                        .warning, "addrman.key_replaced",
                        [("file", .string(AddressKeyStore.fileName)), ("error", .string("not 32 hex digits"))])
                }
            } catch {
                logger.log(.warning, "addrman.key_unusable", [("error", .string("\(error)"))])
            }
            do {
                switch try PeerBookStore(dataDirectory: directory).load(into: &book) {
                case .missing: break
                case .loaded(let count):
                    book.prepareForStart()
                    logger.log(.info, "peerbook.loaded", [("peers", .int(count))])
                case .corrupt(let reason, let movedTo):
                    logger.log(
                        .warning, "peerbook.corrupt", [("error", .string(reason)), ("moved_to", .string(movedTo))])
                }
            } catch {
                logger.log(.warning, "peerbook.unreadable", [("error", .string("\(error)"))])
            }
        }
        let now = ConnectionManager.now()
        for address in configuration.directPeers {
            book.add(address, source: .direct, now: now)
            book.clearCooldown(PeerIP(address.ip))
        }
        for address in configuration.seeds { book.add(address, source: .seed, now: now) }
        return .success(book)
    }
}
