import Testing

@testable import Wire

@Suite struct FrameDecoderTests {
    let decoder = FrameDecoder(maximumSize: 1024)

    @Test func roundTrip_framesOfEverySize() throws {
        var stream: [UInt8] = []
        let bodies: [[UInt8]] = [[], [1], [1, 2, 3], Array(repeating: 7, count: 1024)]
        for body in bodies { FrameEncoder.append(body, to: &stream) }
        let (frames, consumed) = try decoder.decodeAll(stream)
        #expect(frames.map { Array($0.body) } == bodies)
        #expect(consumed == stream.count)
    }

    @Test func splitAnywhere_yieldsSameFrames() throws {
        var stream: [UInt8] = []
        for index in 0..<20 { FrameEncoder.append((0..<UInt8(index)).map { $0 }, to: &stream) }
        for cut in 0...stream.count {
            let (head, consumedHead) = try decoder.decodeAll(Array(stream[..<cut]))
            let rest = Array(stream[consumedHead...])
            let (tail, consumedTail) = try decoder.decodeAll(rest)
            #expect(head.count + tail.count == 20, "cut at \(cut)")
            #expect(consumedHead + consumedTail == stream.count)
        }
    }

    @Test func shortInput_needsMoreNotError() throws {
        let step = try ([0, 0, 0] as [UInt8]).withUnsafeBytes { raw in try decoder.next(in: raw, at: 0) }
        #expect(step == .needMore(needed: 4))
        let step2 = try ([0, 0, 0, 5, 1] as [UInt8]).withUnsafeBytes { raw in try decoder.next(in: raw, at: 0) }
        #expect(step2 == .needMore(needed: 9))
    }

    @Test func oversizedLength_rejectedFromHeaderAlone() {
        // Only the 4 header bytes: the error comes before any body is buffered.
        #expect(throws: FrameError.oversized(length: 1025, maximum: 1024)) {
            try decoder.decodeAll([0, 0, 4, 1])
        }
        #expect(throws: FrameError.oversized(length: .max, maximum: 1024)) {
            try decoder.decodeAll([0xFF, 0xFF, 0xFF, 0xFF])
        }
    }

    @Test func truncatedStream_namedOnFinish() throws {
        #expect(throws: FrameError.truncated(have: 6, need: 14)) { try decoder.finish([0, 0, 0, 10, 1, 2]) }
        #expect(throws: FrameError.truncated(have: 2, need: 4)) { try decoder.finish([0, 0]) }
        try decoder.finish([])
    }

    @Test func randomBytes_neverCrashAndStayBounded() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<5_000 {
            let count = Int(generator.next() % 64)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            do {
                let (frames, consumed) = try decoder.decodeAll(bytes)
                #expect(consumed <= bytes.count)
                #expect(frames.allSatisfy { $0.body.count <= 1024 })
            } catch {
                #expect(error == .oversized(length: error.oversizedLength, maximum: 1024))
            }
        }
    }
}

extension FrameError {
    var oversizedLength: UInt32 {
        if case .oversized(let length, _) = self { return length }
        return 0
    }
}

/// A small deterministic generator so random tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
