import Testing

@testable import Wire

@Suite struct MessageCodecTests {
    static let handshake = Handshake(
        protocolVersion: 2, chainID: "mainnet", genesis: .mainnet, listenPort: 7071,
        nonce: 0x0102_0304_0506_0708, userAgent: "meshnode/0.1.0")

    static let every: [Message] = [
        .handshake(handshake),
        .handshakeAck,
        .ping(nonce: 42),
        .pong(nonce: .max),
        .getPeers,
        .peerList([]),
        .peerList([
            SocketAddress(ip: .v4(0x7F00_0002), port: 7071),
            SocketAddress(ip: IPAddress(parsing: "2001:db8::1")!, port: 9000),
        ]),
        .disconnect(.genesisMismatch),
        .payload([]),
        .payload(Array(0...255)),
        .payload([1, 2, 3], channel: .max),
        .handshake(handshakeWithApplication),
    ]

    static let handshakeWithApplication = Handshake(
        protocolVersion: 7, chainID: "toychain", genesis: .mainnet, listenPort: 1, nonce: 9, userAgent: "toy/1",
        minimumProtocolVersion: 3, application: Array(repeating: 0xAB, count: Message.maximumApplicationDataLength))

    @Test(arguments: every)
    func roundTrip(_ message: Message) throws {
        let body = message.encodedBody()
        #expect(body.first == message.kind.rawValue)
        #expect(try Message.decode(body[...]) == message)
        var frame: [UInt8] = []
        message.encodeFrame(into: &frame)
        let (frames, _) = try FrameDecoder().decodeAll(frame)
        #expect(try Message.decode(frames[0].body) == message)
    }

    @Test func handshake_exactBytes() {
        let body = Message.handshake(Self.handshake).encodedBody()
        #expect(body.count == 1 + 4 + 1 + 7 + 32 + 2 + 8 + 1 + 14 + 4 + 2)
        #expect(Array(body[0..<6]) == [0x01, 0, 0, 0, 2, 7])
        #expect(Array(body[45..<47]) == [0x1B, 0x9F])  // port 7071
        #expect(Array(body[70...]) == [0, 0, 0, 2, 0, 0])  // minimum version 2, no application bytes
    }

    /// A later version may append fields to its Handshake; this version reads its own and
    /// skips the rest, so an upgrade does not cut the network in two.
    @Test func handshake_bytesAfterTheApplicationField_areSkipped() throws {
        let body = Message.handshake(Self.handshakeWithApplication).encodedBody()
        #expect(try Message.decode((body + [1, 2, 3, 4])[...]) == .handshake(Self.handshakeWithApplication))
    }

    @Test func handshake_applicationOverTheLimit_isTooLong() {
        var body = Message.handshake(Self.handshake).encodedBody()
        body.removeLast(2)
        body += [0x04, 0x01] + Array(repeating: 0, count: 1025)
        #expect(throws: MessageDecodingError.tooLong(field: "application", length: 1025, maximum: 1024)) {
            try Message.decode(body[...])
        }
    }

    /// A version-1 Handshake ends after the user agent: to this version it is cut short.
    @Test func versionOneHandshake_isTruncated() {
        let body = Message.handshake(Self.handshake).encodedBody().dropLast(6)
        #expect(throws: MessageDecodingError.truncated(field: "minimum_version")) { try Message.decode(body) }
    }

    @Test func payloadWithoutItsChannel_isTruncated() {
        #expect(throws: MessageDecodingError.truncated(field: "channel")) { try Message.decode([0x10, 0][...]) }
    }

    @Test func largestHandshake_fitsThePreHandshakeFrameCap() {
        let largest = Handshake(
            protocolVersion: .max, chainID: String(repeating: "c", count: Message.maximumChainIDLength),
            genesis: .mainnet, listenPort: .max, nonce: .max,
            userAgent: String(repeating: "u", count: Message.maximumUserAgentLength - 1), minimumProtocolVersion: .max,
            application: Array(repeating: 0xFF, count: Message.maximumApplicationDataLength))
        #expect(Message.handshake(largest).encodedBody().count == 1398)  // docs/wire-protocol.md
    }

    @Test func empty_isNamed() {
        #expect(throws: MessageDecodingError.empty) { try Message.decode([][...]) }
    }

    @Test func unknownKind_isNamed() {
        #expect(throws: MessageDecodingError.unknownKind(0x7F)) { try Message.decode([0x7F][...]) }
    }

    /// Every message whose last field has a fixed or announced length (a payload runs to the
    /// end of the body, so each of its prefixes is itself a valid payload).
    @Test(arguments: every.filter { $0.kind != .payload })
    func everyProperPrefix_isTruncated(_ message: Message) {
        let body = message.encodedBody()
        for length in 1..<body.count {
            #expect {
                try Message.decode(body[0..<length])
            } throws: { error in
                guard let error = error as? MessageDecodingError, case .truncated = error else { return false }
                return true
            }
        }
    }

    @Test func trailingBytes_areNamed() {
        #expect(throws: MessageDecodingError.trailingBytes(count: 2)) { try Message.decode([0x02, 9, 9][...]) }
        #expect(throws: MessageDecodingError.trailingBytes(count: 1)) {
            try Message.decode((Message.ping(nonce: 1).encodedBody() + [0])[...])
        }
    }

    @Test func peerListCountOverLimit_isTooLong() {
        #expect(throws: MessageDecodingError.tooLong(field: "peer_count", length: 1001, maximum: 1000)) {
            try Message.decode([0x06, 0x03, 0xE9][...])
        }
    }

    @Test func peerListCountBeyondBody_failsBeforeAllocating() {
        #expect(throws: MessageDecodingError.truncated(field: "peers")) {
            try Message.decode([0x06, 0x03, 0xE8, 4, 1, 2, 3, 4, 0, 1][...])
        }
    }

    @Test func unknownAddressFamily_isInvalid() {
        #expect(throws: MessageDecodingError.invalidValue(field: "address_family")) {
            try Message.decode([0x06, 0, 1, 5, 1, 2, 3, 4, 0, 1][...])
        }
    }

    @Test func badStrings_areInvalidOrTooLong() {
        #expect(throws: MessageDecodingError.invalidValue(field: "reason")) {
            try Message.decode([0x07, 2, 0x41, 0x42][...])  // "AB": not snake_case
        }
        #expect(throws: MessageDecodingError.tooLong(field: "reason", length: 65, maximum: 64)) {
            try Message.decode(([0x07, 65] + Array(repeating: 0x61, count: 65))[...])
        }
        var body = Message.handshake(Self.handshake).encodedBody()
        body[6] = 0xFF  // break the UTF-8 of the chain id
        #expect(throws: MessageDecodingError.invalidValue(field: "chain_id")) { try Message.decode(body[...]) }
    }

    @Test func unknownReasonCode_roundTrips() throws {
        let message = Message.disconnect(ReasonCode(rawValue: "from_the_future"))
        #expect(try Message.decode(message.encodedBody()[...]) == message)
    }

    @Test func randomBodies_decodeOrNameAnError() {
        var generator = SplitMix64(seed: 7)
        var decoded = 0
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 80)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if !bytes.isEmpty { bytes[0] = UInt8(generator.next() % 9) }  // mostly valid kinds
            if (try? Message.decode(bytes[...])) != nil { decoded += 1 }
        }
        #expect(decoded > 0)
    }
}
