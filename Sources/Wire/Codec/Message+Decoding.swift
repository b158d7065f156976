extension Message {
    /// Decodes one frame body. Pure: any byte sequence gives a message or a named error, and
    /// memory use is bounded by the body's own size.
    public static func decode(_ body: ArraySlice<UInt8>) throws(MessageDecodingError) -> Message {
        try body.withUnsafeBytes { raw in Result { () throws(MessageDecodingError) in try decode(raw) } }.get()
    }

    /// Decodes one frame body from borrowed bytes.
    public static func decode(_ body: UnsafeRawBufferPointer) throws(MessageDecodingError) -> Message {
        var reader = ByteReader(body)
        guard reader.remaining > 0 else { throw .empty }
        let kindByte = try reader.readUInt8("kind")
        guard let kind = Kind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        let message: Message
        switch kind {
        case .handshake:
            // Later versions may append fields: whatever follows the application bytes is
            // theirs, and skipped (the frame size bounds it).
            let handshake = try decodeHandshake(&reader)
            return .handshake(handshake)
        case .handshakeAck:
            message = .handshakeAck
        case .ping:
            message = .ping(nonce: try reader.readUInt64("nonce"))
        case .pong:
            message = .pong(nonce: try reader.readUInt64("nonce"))
        case .getPeers:
            message = .getPeers
        case .peerList:
            message = .peerList(try decodePeerList(&reader))
        case .disconnect:
            let text = try reader.readShortString("reason", maximum: maximumReasonLength)
            guard !text.isEmpty,
                text.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F })
            else { throw .invalidValue(field: "reason") }
            message = .disconnect(ReasonCode(rawValue: text))
        case .payload:
            let channel = try reader.readUInt16("channel")
            message = .payload(try reader.readBytes(reader.remaining, "payload"), channel: channel)
        }
        try reader.expectEnd()
        return message
    }

    private static func decodeHandshake(_ reader: inout ByteReader) throws(MessageDecodingError) -> Handshake {
        let version = try reader.readUInt32("protocol_version")
        let chainID = try reader.readShortString("chain_id", maximum: maximumChainIDLength)
        let genesis = GenesisHash(bytes: try reader.readBytes(32, "genesis"))!
        let port = try reader.readUInt16("listen_port")
        let nonce = try reader.readUInt64("nonce")
        let agent = try reader.readShortString("user_agent", maximum: maximumUserAgentLength)
        let minimum = try reader.readUInt32("minimum_version")
        let applicationLength = Int(try reader.readUInt16("application_length"))
        guard applicationLength <= maximumApplicationDataLength else {
            throw .tooLong(field: "application", length: applicationLength, maximum: maximumApplicationDataLength)
        }
        let application = try reader.readBytes(applicationLength, "application")
        return Handshake(
            protocolVersion: version, chainID: chainID, genesis: genesis, listenPort: port, nonce: nonce,
            userAgent: agent, minimumProtocolVersion: minimum, application: application)
    }

    private static func decodePeerList(_ reader: inout ByteReader) throws(MessageDecodingError) -> [SocketAddress] {
        let count = Int(try reader.readUInt16("peer_count"))
        guard count <= maximumPeerListCount else {
            throw .tooLong(field: "peer_count", length: count, maximum: maximumPeerListCount)
        }
        // Each entry is at least 7 bytes: refuse a count the body cannot hold before reserving.
        guard reader.remaining >= count * 7 else { throw .truncated(field: "peers") }
        var peers: [SocketAddress] = []
        peers.reserveCapacity(count)
        for _ in 0..<count {
            let ip: IPAddress
            switch try reader.readUInt8("address_family") {
            case 4:
                ip = .v4(try reader.readUInt32("ipv4"))
            case 6:
                let high = try reader.readUInt64("ipv6")
                let low = try reader.readUInt64("ipv6")
                ip = .v6(high, low)
            default:
                throw .invalidValue(field: "address_family")
            }
            peers.append(SocketAddress(ip: ip, port: try reader.readUInt16("port")))
        }
        return peers
    }
}
