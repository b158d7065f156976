import Actors
import Diagnostics
import Wire

/// The inputs meshnode must survive, as fuzz targets: each takes any bytes and must return
/// (a value or a named error), never crash, never allocate beyond a bound of its input.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case frameDecoder = "frame-decoder"
    case messageDecoder = "message-decoder"
    case httpRequest = "http-request"
    case peerBook = "peer-book"
    case json

    /// Feeds `bytes` to the target.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .frameDecoder:
            // Frames out of a stream cut at an arbitrary point, then the stream's end.
            let decoder = FrameDecoder(maximumSize: 1 << 16)
            if let (frames, consumed) = try? decoder.decodeAll(bytes) {
                precondition(consumed <= bytes.count && frames.allSatisfy { $0.body.count <= 1 << 16 })
                _ = try? decoder.finish(Array(bytes[consumed...]))
            }
        case .messageDecoder:
            if let message = try? Message.decode(bytes[...]) {
                // Whatever decodes must encode back to a body that decodes to the same message.
                precondition((try? Message.decode(message.encodedBody()[...])) == message)
            }
        case .httpRequest:
            var parser = HTTPRequestParser(maximumHeaderBytes: 4096, maximumBodyBytes: 4096)
            // In two pieces, to exercise a request split across reads.
            let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
            parser.append(Array(bytes[..<cut]))
            while (try? parser.next()) != nil {}  // nil: needs more bytes, or a named error
            parser.append(Array(bytes[cut...]))
            while (try? parser.next()) != nil {}
        case .peerBook:
            _ = try? PeerBookStore.decode(bytes)
        case .json:
            if let value = try? JSONValue.parse(bytes) {
                precondition((try? JSONValue.parse(Array(value.render().utf8))) == value)
            }
        }
    }
}
