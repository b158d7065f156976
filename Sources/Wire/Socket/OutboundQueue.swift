/// A connection's unsent bytes as a FIFO of chunks, flushed with one vectored send.
///
/// A received batch that is written back whole is queued by reference (no copy); messages
/// are encoded straight into the last chunk when this queue owns it. Nothing is ever moved
/// to make room, so a queue that grows while the peer is slow never reallocates its data.
struct OutboundQueue {
    private(set) var chunks: [[UInt8]] = []
    /// Index of the first chunk with unsent bytes.
    private var head = 0
    /// Bytes of `chunks[head]` already sent.
    private(set) var headOffset = 0
    /// Unsent bytes in all.
    private(set) var count = 0
    /// True when the last chunk was made here for encoding (so appending to it never copies
    /// someone else's storage).
    private var lastChunkIsOwned = false
    /// A sent owned chunk kept (emptied, capacity intact) for the next encode: steady small
    /// traffic reuses one buffer instead of allocating per loop pass.
    private var spare: [UInt8] = []

    /// Chunks larger than this are not appended to; a new chunk starts.
    static let encodeChunkLimit = 64 << 10

    var isEmpty: Bool { count == 0 }

    /// Queues `bytes` as a chunk of its own, sharing its storage.
    mutating func append(chunk bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        chunks.append(bytes)
        count += bytes.count
        lastChunkIsOwned = false
    }

    /// Encodes into the last owned chunk, or a new one.
    mutating func encode(_ body: (inout [UInt8]) -> Void) {
        if !lastChunkIsOwned || chunks.isEmpty || chunks[chunks.count - 1].count >= Self.encodeChunkLimit {
            chunks.append(spare)
            spare = []
            lastChunkIsOwned = true
        }
        let last = chunks.count - 1
        let before = chunks[last].count
        body(&chunks[last])
        count += chunks[last].count - before
    }

    /// Marks `sent` bytes from the front as sent and drops finished chunks.
    mutating func consume(_ sent: Int) {
        precondition(sent <= count, "consumed more than was queued")
        var remaining = sent
        count -= sent
        while remaining > 0 {
            let available = chunks[head].count - headOffset
            if remaining < available {
                headOffset += remaining
                return
            }
            remaining -= available
            if head < chunks.count - 1 { chunks[head] = [] }  // release sent data at once
            head += 1
            headOffset = 0
        }
        if head == chunks.count {
            // Only an owned chunk can be last-and-reusable: it was never handed out, so
            // emptying it keeps its storage without a copy.
            if lastChunkIsOwned && chunks[head - 1].capacity <= Self.encodeChunkLimit {
                spare = chunks[head - 1]
                chunks[head - 1] = []
                spare.removeAll(keepingCapacity: true)
            }
            chunks.removeAll(keepingCapacity: chunks.capacity <= 64)
            head = 0
            lastChunkIsOwned = false
        } else if head >= 32 && head * 2 >= chunks.count {
            // Sent chunks are released in bulk, not one by one, to keep `consume` cheap.
            chunks.removeFirst(head)
            head = 0
        }
    }

    /// Drops everything.
    mutating func removeAll() {
        self = OutboundQueue()
    }

    /// Calls `body` with the unsent bytes of the first chunk (the common case: one chunk).
    func withFirstUnsentBuffer<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        chunks[head].withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[headOffset...])) }
    }

    /// The number of chunks holding unsent bytes.
    var pendingChunks: Int { chunks.count - head }

    /// Calls `body` with the unsent bytes of up to `maximumChunks` chunks as raw buffers.
    func withUnsentBuffers<Result>(
        maximumChunks: Int, _ body: ([UnsafeRawBufferPointer]) -> Result
    ) -> Result {
        var buffers: [UnsafeRawBufferPointer] = []
        buffers.reserveCapacity(min(maximumChunks, chunks.count - head))
        return collect(from: head, limit: min(chunks.count, head + maximumChunks), into: &buffers, body)
    }

    /// Nests `withUnsafeBytes` once per chunk, so every pointer is valid while `body` runs.
    private func collect<Result>(
        from index: Int, limit: Int, into buffers: inout [UnsafeRawBufferPointer],
        _ body: ([UnsafeRawBufferPointer]) -> Result
    ) -> Result {
        guard index < limit else { return body(buffers) }
        return chunks[index].withUnsafeBytes { raw in
            buffers.append(index == head ? UnsafeRawBufferPointer(rebasing: raw[headOffset...]) : raw)
            return collect(from: index + 1, limit: limit, into: &buffers, body)
        }
    }
}
