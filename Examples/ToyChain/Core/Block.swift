/// One block of the toy chain: the hash of the previous block and a counter the miner chose;
/// its own hash is SHA-256 of both. The genesis block (height 0) hashes the chain's name.
public struct Block: Sendable, Equatable {
    public let height: UInt64
    public let previous: [UInt8]
    public let counter: UInt64
    public let hash: [UInt8]

    public init(height: UInt64, previous: [UInt8], counter: UInt64) {
        self.height = height
        self.previous = previous
        self.counter = counter
        self.hash = SHA256.hash(previous + ToyWire.bigEndian(counter))
    }

    /// The first block of the chain called `name`: two names, two chains that never sync.
    public static func genesis(_ name: String) -> Block {
        Block(height: 0, previous: SHA256.hash(Array("toychain genesis \(name)".utf8)), counter: 0)
    }

    /// The hash as 64 hex digits.
    public var hashHex: String {
        hash.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
