/// The whole frames of one read cycle, in one buffer (headers included).
///
/// One allocation per read cycle, whatever the number of frames; each ``Frame`` is a slice
/// of the shared storage. The decoder validated every header before the batch was built.
public struct FrameBatch: Sendable, Sequence {
    /// Consecutive frames: length prefix, body, length prefix, body, …
    public let storage: [UInt8]

    init(storage: [UInt8]) {
        self.storage = storage
    }

    /// The bytes of the batch, headers included.
    public var byteCount: Int { storage.count }

    public func makeIterator() -> Iterator {
        Iterator(storage: storage)
    }

    /// Walks the frames of a batch.
    public struct Iterator: IteratorProtocol, Sendable {
        let storage: [UInt8]
        var offset = 0

        /// The frames not returned yet, as bytes (headers included).
        public var remainingBytes: ArraySlice<UInt8> { storage[offset...] }

        public mutating func next() -> Frame? {
            guard offset + Frame.headerSize <= storage.count else { return nil }
            let length = storage.withUnsafeBytes {
                Int($0.loadUnaligned(fromByteOffset: offset, as: UInt32.self).bigEndian)
            }
            let start = offset + Frame.headerSize
            offset = start + length
            return Frame(body: storage[start..<offset])
        }
    }
}
