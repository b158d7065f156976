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
    /// Application bytes for the embedding program, opaque to the connection layer.
    case payload([UInt8])

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
}

/// The opening message of a connection.
public struct Handshake: Sendable, Equatable {
    /// The wire protocol version; peers must match.
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

    public init(
        protocolVersion: UInt32, chainID: String, genesis: GenesisHash, listenPort: UInt16, nonce: UInt64,
        userAgent: String
    ) {
        self.protocolVersion = protocolVersion
        self.chainID = chainID
        self.genesis = genesis
        self.listenPort = listenPort
        self.nonce = nonce
        self.userAgent = userAgent
    }

    /// The protocol version this build speaks.
    public static let currentProtocolVersion: UInt32 = 1
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

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The default genesis of `mainnet`: SHA-256 of "meshnode genesis", fixed forever.
    public static let mainnet = GenesisHash(hex: "672232b5c453c80cb5b53624d9f6595b971c9131548bec9ca9a984b18ee4c417")!
}
