/// A protocol message: the body of one frame. The first body byte is the kind
/// (docs/wire-protocol.md specifies every byte).
public enum Message: Sendable, Equatable {
    /// Opens a connection: both sides send one first.
    case handshake(Handshake)
    /// Accepts the peer's handshake.
    case handshakeAck
    /// Liveness probe; the peer answers with a Pong carrying the same nonce.
    case ping(nonce: UInt64)
    /// Answer to a Ping.
    case pong(nonce: UInt64)
    /// Asks for addresses the peer knows.
    case getPeers
    /// Addresses the sender knows (at most ``Message/maximumPeerListCount``).
    case peerList([SocketAddress])
    /// The sender is closing the connection, and why.
    case disconnect(ReasonCode)
    /// Application bytes for the embedding program on one of its channels, opaque to the
    /// connection layer (channel 0 unless said otherwise).
    case payload([UInt8], channel: UInt16 = 0)

    /// The kind byte of each message.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case handshake = 0x01
        case handshakeAck = 0x02
        case ping = 0x03
        case pong = 0x04
        case getPeers = 0x05
        case peerList = 0x06
        case disconnect = 0x07
        case payload = 0x10
    }

    /// This message's kind.
    public var kind: Kind {
        switch self {
        case .handshake: return .handshake
        case .handshakeAck: return .handshakeAck
        case .ping: return .ping
        case .pong: return .pong
        case .getPeers: return .getPeers
        case .peerList: return .peerList
        case .disconnect: return .disconnect
        case .payload: return .payload
        }
    }

    /// The most addresses one PeerList may carry.
    public static let maximumPeerListCount = 1000
    /// The longest chain id, in UTF-8 bytes.
    public static let maximumChainIDLength = 64
    /// The longest user agent, in UTF-8 bytes.
    public static let maximumUserAgentLength = 256
    /// The longest reason code in a Disconnect, in bytes.
    public static let maximumReasonLength = 64
    /// The most application bytes a Handshake carries. With the other fields at their limits a
    /// Handshake body stays under 1,500 bytes, well inside the pre-handshake frame cap.
    public static let maximumApplicationDataLength = 1024
}

/// The opening message of a connection.
public struct Handshake: Sendable, Equatable {
    /// The newest wire protocol version the sender speaks.
    public var protocolVersion: UInt32
    /// The network's name (`mainnet`); peers must match.
    public var chainID: String
    /// The hash of the chain's first block; peers must match.
    public var genesis: GenesisHash
    /// The port the sender accepts connections on (its IP is the connection's source IP).
    public var listenPort: UInt16
    /// A random number per node process: receiving one's own nonce means one dialed oneself.
    public var nonce: UInt64
    /// Free text naming the software, e.g. `meshnode/0.1.0`.
    public var userAgent: String
    /// The oldest wire protocol version the sender still speaks (since version 2).
    public var minimumProtocolVersion: UInt32
    /// The embedding application's own bytes (at most ``Message/maximumApplicationDataLength``),
    /// opaque to the connection layer: a chain's height, say (since version 2).
    public var application: [UInt8]

    public init(
        protocolVersion: UInt32, chainID: String, genesis: GenesisHash, listenPort: UInt16, nonce: UInt64,
        userAgent: String, minimumProtocolVersion: UInt32 = Handshake.minimumSupportedProtocolVersion,
        application: [UInt8] = []
    ) {
        self.protocolVersion = protocolVersion
        self.chainID = chainID
        self.genesis = genesis
        self.listenPort = listenPort
        self.nonce = nonce
        self.userAgent = userAgent
        self.minimumProtocolVersion = minimumProtocolVersion
        self.application = application
    }

    /// The newest protocol version this build speaks: 2 added the version range, the
    /// application bytes and payload channels.
    public static let currentProtocolVersion: UInt32 = 2
    /// The oldest protocol version this build speaks. Version 1 payloads carry no channel, so
    /// a version-1 peer cannot be understood.
    public static let minimumSupportedProtocolVersion: UInt32 = 2

    /// The version two peers use: the lower of the two current versions, if both still speak
    /// it; nil if their ranges do not meet (`version_mismatch`).
    public static func agreedVersion(
        ourCurrent: UInt32, ourMinimum: UInt32, theirCurrent: UInt32, theirMinimum: UInt32
    ) -> UInt32? {
        let agreed = min(ourCurrent, theirCurrent)
        return agreed >= ourMinimum && agreed >= theirMinimum ? agreed : nil
    }
}

/// A 32-byte hash, written as 64 hex digits.
public struct GenesisHash: Sendable, Hashable, CustomStringConvertible {
    /// Exactly 32 bytes.
    public let bytes: [UInt8]

    /// `nil` unless `bytes` holds exactly 32 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Parses 64 hex digits (an optional `0x` prefix is allowed); `nil` otherwise.
    public init?(hex: String) {
        var digits = Substring(hex)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard digits.utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.bytes = bytes
    }

    /// 64 lowercase hex digits.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The default genesis of `mainnet`: SHA-256 of "meshnode genesis", fixed forever.
    public static let mainnet = GenesisHash(hex: "672232b5c453c80cb5b53624d9f6595b971c9131548bec9ca9a984b18ee4c417")!
}
