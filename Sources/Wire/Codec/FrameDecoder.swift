/// The pure frame decoder: `u32 big-endian length` + `length` body bytes.
///
/// It never buffers; it looks at bytes the caller holds and says where the next frame is or
/// how many bytes are still missing. An oversized length is refused as soon as its 4 header
/// bytes are seen, so no body is ever buffered for it.
public struct FrameDecoder: Sendable {
    /// The largest body accepted, in bytes.
    public let maximumSize: Int

    public init(maximumSize: Int = Frame.defaultMaximumSize) {
        precondition(maximumSize >= 0 && maximumSize <= Int(UInt32.max))
        self.maximumSize = maximumSize
    }

    /// What the bytes from an offset hold.
    public enum Step: Equatable, Sendable {
        /// A whole frame: its body occupies `body`; the next frame starts at `body.upperBound`.
        case frame(body: Range<Int>)
        /// Not a whole frame yet; at least `needed` bytes from the offset are required.
        case needMore(needed: Int)
    }

    /// Looks for the frame starting at `offset` in `bytes`.
    @inlinable
    public func next(in bytes: UnsafeRawBufferPointer, at offset: Int) throws(FrameError) -> Step {
        let available = bytes.count - offset
        guard available >= Frame.headerSize else { return .needMore(needed: Frame.headerSize) }
        let length = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).bigEndian
        guard Int(length) <= maximumSize else { throw .oversized(length: length, maximum: maximumSize) }
        let total = Frame.headerSize + Int(length)
        guard available >= total else { return .needMore(needed: total) }
        return .frame(body: (offset + Frame.headerSize)..<(offset + total))
    }

    /// Decodes every whole frame of `bytes`; the rest (a partial frame) is left unconsumed.
    public func decodeAll(_ bytes: [UInt8]) throws(FrameError) -> (frames: [Frame], consumed: Int) {
        var frames: [Frame] = []
        var offset = 0
        while true {
            let step = bytes.withUnsafeBytes { raw in Result { () throws(FrameError) in try next(in: raw, at: offset) }
            }
            guard case .frame(let body) = try step.get() else { break }
            frames.append(Frame(body: bytes[body]))
            offset = body.upperBound
        }
        return (frames, offset)
    }

    /// Checks that a stream ending with `remainder` unconsumed bytes ended on a frame boundary.
    public func finish(_ remainder: [UInt8]) throws(FrameError) {
        guard !remainder.isEmpty else { return }
        let step = remainder.withUnsafeBytes { raw in Result { () throws(FrameError) in try next(in: raw, at: 0) } }
        switch try step.get() {
        case .needMore(let needed): throw .truncated(have: remainder.count, need: needed)
        case .frame: return
        }
    }
}

/// Writes frames: the length prefix, then the body, appended to a caller's buffer.
public enum FrameEncoder {
    /// Appends `body` as one frame to `buffer`.
    @inlinable
    public static func append(_ body: some Collection<UInt8>, to buffer: inout [UInt8]) {
        let length = UInt32(body.count)
        buffer.append(UInt8(truncatingIfNeeded: length >> 24))
        buffer.append(UInt8(truncatingIfNeeded: length >> 16))
        buffer.append(UInt8(truncatingIfNeeded: length >> 8))
        buffer.append(UInt8(truncatingIfNeeded: length))
        buffer.append(contentsOf: body)
    }

    /// One frame holding `body`, as a new array.
    public static func encode(_ body: some Collection<UInt8>) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Frame.headerSize + body.count)
        append(body, to: &buffer)
        return buffer
    }
}
