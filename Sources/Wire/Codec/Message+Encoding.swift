extension Message {
    /// Appends this message as a frame body (kind byte first) to `buffer`.
    public func encodeBody(into buffer: inout [UInt8]) {
        buffer.append(kind.rawValue)
        switch self {
        case .handshake(let handshake):
            buffer.appendBigEndian(handshake.protocolVersion)
            buffer.appendShortString(handshake.chainID, maximum: Message.maximumChainIDLength)
            buffer.append(contentsOf: handshake.genesis.bytes)
            buffer.appendBigEndian(handshake.listenPort)
            buffer.appendBigEndian(handshake.nonce)
            buffer.appendShortString(handshake.userAgent, maximum: Message.maximumUserAgentLength)
            buffer.appendBigEndian(handshake.minimumProtocolVersion)
            let application = handshake.application.prefix(Message.maximumApplicationDataLength)
            buffer.appendBigEndian(UInt16(application.count))
            buffer.append(contentsOf: application)
        case .handshakeAck, .getPeers:
            break
        case .ping(let nonce), .pong(let nonce):
            buffer.appendBigEndian(nonce)
        case .peerList(let addresses):
            let count = min(addresses.count, Message.maximumPeerListCount)
            buffer.appendBigEndian(UInt16(count))
            for address in addresses.prefix(count) {
                switch address.ip {
                case .v4(let value):
                    buffer.append(4)
                    buffer.appendBigEndian(value)
                case .v6(let high, let low):
                    buffer.append(6)
                    buffer.appendBigEndian(high)
                    buffer.appendBigEndian(low)
                }
                buffer.appendBigEndian(address.port)
            }
        case .disconnect(let reason):
            buffer.appendShortString(reason.rawValue, maximum: Message.maximumReasonLength)
        case .payload(let bytes, let channel):
            buffer.appendBigEndian(channel)
            buffer.append(contentsOf: bytes)
        }
    }

    /// This message as a frame body.
    public func encodedBody() -> [UInt8] {
        var buffer: [UInt8] = []
        encodeBody(into: &buffer)
        return buffer
    }

    /// Appends this message as a whole frame (length prefix, then body) to `buffer`.
    public func encodeFrame(into buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: [0, 0, 0, 0])
        encodeBody(into: &buffer)
        let length = UInt32(buffer.count - start - Frame.headerSize)
        buffer[start] = UInt8(truncatingIfNeeded: length >> 24)
        buffer[start + 1] = UInt8(truncatingIfNeeded: length >> 16)
        buffer[start + 2] = UInt8(truncatingIfNeeded: length >> 8)
        buffer[start + 3] = UInt8(truncatingIfNeeded: length)
    }
}

extension Array where Element == UInt8 {
    @inlinable
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { append(contentsOf: $0) }
    }

    /// One length byte, then the UTF-8 bytes, cut to `maximum` on a character boundary.
    mutating func appendShortString(_ text: String, maximum: Int) {
        var utf8 = Array(text.utf8)
        if utf8.count > maximum {
            var cut = Substring(text)
            while cut.utf8.count > maximum { cut = cut.dropLast() }
            utf8 = Array(cut.utf8)
        }
        append(UInt8(utf8.count))
        append(contentsOf: utf8)
    }
}
