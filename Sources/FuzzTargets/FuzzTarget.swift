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
    case handshake
    case toml

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
        case .handshake:
            Self.handshake(bytes)
        case .toml:
            // A document, or an error naming a line of the input (lines end at LF bytes: a
            // String's Characters would fold CRLF into one and undercount them).
            do {
                _ = try TOMLDocument(parsing: bytes)
            } catch {
                let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
                precondition(error.line >= 1 && error.line <= lines, "\(error) outside \(lines) lines")
            }
        }
    }

    /// The peer's side of a handshake, as frames cut from `bytes`, fed to the state machine
    /// as the PeerConnection feeds it. Whatever arrives, it ends at most once, completes only
    /// after an accepted Handshake and then an Ack, and takes at most one PeerList.
    static func handshake(_ bytes: [UInt8]) {
        var state = HandshakeState(
            expecting: .init(
                protocolVersion: Handshake.currentProtocolVersion, chainID: "mainnet", genesis: .mainnet, nonce: 42))
        guard let (frames, _) = try? FrameDecoder(maximumSize: 1 << 16).decodeAll(bytes) else { return }
        var learned = 0
        var acknowledged = false
        var ends = 0
        for frame in frames {
            let wasFinished = state.isFinished
            let action = state.receive(frameBody: frame.body)
            precondition(!wasFinished || action == .ignore, "input after the end changed something")
            switch action {
            case .learn:
                learned += 1
                precondition(learned == 1 && !acknowledged, "a second PeerList, or one after the Handshake")
            case .acknowledge(let theirs):
                precondition(!acknowledged && state.check(theirs) == nil && theirs.nonce != 42)
                acknowledged = true
            case .complete:
                precondition(acknowledged && state.phase == .complete && state.remote != nil)
                ends += 1
            case .fail(let failure):
                precondition(state.phase == .failed(failure))
                ends += 1
            case .ignore:
                precondition(wasFinished)
            }
            precondition(ends <= 1)
        }
    }
}
