import Testing

@testable import Wire

/// docs/wire-protocol.md shows each message as hex; the encoder must produce exactly that.
@Suite struct WireProtocolDocTests {
    static let examples: [(Message, String)] = [
        (
            .handshake(
                Handshake(
                    protocolVersion: 2, chainID: "mainnet", genesis: .mainnet, listenPort: 7071,
                    nonce: 0x0102_0304_0506_0708, userAgent: "meshnode/0.1.0", minimumProtocolVersion: 2,
                    application: [0x00, 0x2A])),
            """
            00 00 00 4e 01 00 00 00 02 07 6d 61 69 6e 6e 65 74 67 22 32 b5 c4 53 c8 0c b5 b5 36 24 d9
            f6 59 5b 97 1c 91 31 54 8b ec 9c a9 a9 84 b1 8e e4 c4 17 1b 9f 01 02 03 04 05 06 07 08 0e
            6d 65 73 68 6e 6f 64 65 2f 30 2e 31 2e 30 00 00 00 02 00 02 00 2a
            """
        ),
        (.handshakeAck, "00 00 00 01 02"),
        (.ping(nonce: 42), "00 00 00 09 03 00 00 00 00 00 00 00 2a"),
        (.pong(nonce: 42), "00 00 00 09 04 00 00 00 00 00 00 00 2a"),
        (.getPeers, "00 00 00 01 05"),
        (
            .peerList([
                SocketAddress(ip: .v4(0x7F00_0002), port: 7071),
                SocketAddress(ip: .v6(0x2001_0DB8_0000_0000, 1), port: 9000),
            ]),
            """
            00 00 00 1d 06 00 02 04 7f 00 00 02 1b 9f 06 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00
            01 23 28
            """
        ),
        (.disconnect(.genesisMismatch), "00 00 00 12 07 10 67 65 6e 65 73 69 73 5f 6d 69 73 6d 61 74 63 68"),
        (.payload(Array("hi".utf8)), "00 00 00 05 10 00 00 68 69"),
        (.payload(Array("hi".utf8), channel: 7), "00 00 00 05 10 00 07 68 69"),
    ]

    @Test func everyDocumentedExample_matchesTheEncoder() throws {
        for (message, hex) in Self.examples {
            var frame: [UInt8] = []
            message.encodeFrame(into: &frame)
            let expected = hex.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0, radix: 16)! }
            #expect(frame == expected, "\(message.kind)")
            #expect(try Message.decode(frame[4...]) == message)
        }
    }

    @Test func defaultGenesis_isTheDocumentedHash() {
        #expect(GenesisHash.mainnet.description == "672232b5c453c80cb5b53624d9f6595b971c9131548bec9ca9a984b18ee4c417")
    }
}
