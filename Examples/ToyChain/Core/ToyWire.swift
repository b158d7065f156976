import MeshNodeKit

/// The toy chain's messages, on channel ``ToyWire/channel``, and its handshake bytes. All
/// integers big-endian.
///
/// - handshake bytes: genesis hash (32), height u64, tip hash (32): 72 bytes.
/// - `0x01` announce: height u64, tip hash (32).
/// - `0x02` get blocks: first height u64, count u16 (at most ``maximumBlocksPerRequest``).
/// - `0x03` blocks: first height u64, count u16, then count counters u64 (each block's
///   previous hash is the block before it, so the counter is all that travels).
public enum ToyWire {
    public static let channel: UInt16 = 1
    public static let maximumBlocksPerRequest = 64

    public enum Message: Sendable, Equatable {
        case announce(height: UInt64, tip: [UInt8])
        case getBlocks(from: UInt64, count: Int)
        case blocks(from: UInt64, counters: [UInt64])
    }

    public struct Status: Sendable, Equatable {
        public let genesis: [UInt8]
        public let height: UInt64
        public let tip: [UInt8]
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        stride(from: 56, through: 0, by: -8).map { UInt8(truncatingIfNeeded: value >> UInt64($0)) }
    }

    static func encode(_ status: Status) -> [UInt8] {
        status.genesis + bigEndian(status.height) + status.tip
    }

    static func decodeStatus(_ bytes: [UInt8]) -> Status? {
        guard bytes.count == 72 else { return nil }
        return Status(genesis: Array(bytes[0..<32]), height: readUInt64(bytes, at: 32), tip: Array(bytes[40..<72]))
    }

    static func encode(_ message: Message) -> [UInt8] {
        switch message {
        case .announce(let height, let tip):
            return [0x01] + bigEndian(height) + tip
        case .getBlocks(let from, let count):
            let count = UInt16(clamping: count)
            return [0x02] + bigEndian(from) + [UInt8(count >> 8), UInt8(truncatingIfNeeded: count)]
        case .blocks(let from, let counters):
            let count = UInt16(clamping: counters.count)
            return [0x03] + bigEndian(from) + [UInt8(count >> 8), UInt8(truncatingIfNeeded: count)]
                + counters.prefix(Int(count)).flatMap(bigEndian)
        }
    }

    /// Nil for anything malformed: a peer's bytes are never trusted.
    static func decode(_ bytes: [UInt8]) -> Message? {
        guard let kind = bytes.first else { return nil }
        switch kind {
        case 0x01 where bytes.count == 41:
            return .announce(height: readUInt64(bytes, at: 1), tip: Array(bytes[9..<41]))
        case 0x02 where bytes.count == 11:
            return .getBlocks(from: readUInt64(bytes, at: 1), count: Int(bytes[9]) << 8 | Int(bytes[10]))
        case 0x03 where bytes.count >= 11:
            let count = Int(bytes[9]) << 8 | Int(bytes[10])
            guard count <= maximumBlocksPerRequest, bytes.count == 11 + count * 8 else { return nil }
            let counters = (0..<count).map { readUInt64(bytes, at: 11 + $0 * 8) }
            return .blocks(from: readUInt64(bytes, at: 1), counters: counters)
        default:
            return nil
        }
    }

    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<(offset + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
