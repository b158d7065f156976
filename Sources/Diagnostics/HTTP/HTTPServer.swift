import Wire

/// A small HTTP/1.1 server (RFC 9112) on the Wire reactor for the debug endpoint:
/// keep-alive and pipelining, limits on header and body size, `Expect: 100-continue`, a
/// deadline per request and per idle connection (reactor timers on each ``ByteStream``, no
/// polling), and a cap on connections in total and per IP that makes room by closing the
/// connection that waited longest instead of refusing a newcomer. Whatever bytes a client
/// sends, other clients keep being served.
public struct HTTPServer: Sendable {
    public let listener: ByteListener
    public let handler: @Sendable (HTTPRequest) async -> HTTPResponse
    /// A request must arrive whole within this time of its first byte, and a response must
    /// be taken by the client within it.
    public var requestTimeout: Duration = .seconds(5)
    /// A keep-alive connection with no request for this long is closed.
    public var idleTimeout: Duration = .seconds(15)
    /// After the last response (an error, or `Connection: close`), how long the rest of the
    /// client's input is read and discarded before closing.
    public var lingerTimeout: Duration = .seconds(1)
    public var maximumConnections = 64
    public var maximumConnectionsPerIP = 16
    public var maximumHeaderBytes = 16 << 10
    public var maximumBodyBytes = 64 << 10

    public init(listener: ByteListener, handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) {
        self.listener = listener
        self.handler = handler
    }

    /// Serves until the listener is closed or the task is cancelled.
    public func run() async {
        let connections = LockedValue(
            Connections(
                table: HTTPConnectionTable(
                    maximumConnections: maximumConnections, maximumPerIP: maximumConnectionsPerIP)))
        await withDiscardingTaskGroup { group in
            var nextID: UInt64 = 0
            while let stream = await listener.accept() {
                nextID += 1
                let id = nextID
                let victims = connections.withLock { $0.admit(id, stream) }
                for victim in victims ?? [] { await victim.close() }
                group.addTask(executorPreference: listener.reactor) {
                    guard victims != nil else {
                        await refuse(stream)
                        return
                    }
                    await serve(stream, phase: { phase in connections.withLock { $0.table.set(id, phase) } })
                    await stream.close()
                    connections.withLock { $0.remove(id) }
                }
            }
            group.cancelAll()
        }
    }

    /// The open streams and their table, under one lock.
    struct Connections {
        var table: HTTPConnectionTable
        var streams: [UInt64: ByteStream] = [:]

        /// The streams to close to make room, or nil to refuse.
        mutating func admit(_ id: UInt64, _ stream: ByteStream) -> [ByteStream]? {
            guard let victims = table.admit(id, from: stream.remoteAddress.ip) else { return nil }
            streams[id] = stream
            return victims.compactMap { streams.removeValue(forKey: $0) }
        }

        mutating func remove(_ id: UInt64) {
            table.remove(id)
            streams[id] = nil
        }
    }

    /// Every connection is in the middle of an answer: this one is told so and closed.
    private func refuse(_ stream: ByteStream) async {
        await stream.setDeadline(at: stream.reactor.now() &+ requestTimeout.nanoseconds)
        let response = HTTPResponse.error(503, "every debug connection is busy answering; retry")
        try? await stream.write(response.serialized(keepAlive: false))
        await stream.close()
    }

    /// Lingering close (RFC 9112 §9.6): half-close, then read and discard what the client is
    /// still sending, until it closes or `lingerTimeout` passes. Closing with unread input
    /// would reset the connection, and the client could lose the last response.
    private func linger(_ stream: ByteStream) async {
        await stream.shutdownOutput()
        await stream.setDeadline(at: stream.reactor.now() &+ lingerTimeout.nanoseconds)
        while let bytes = try? await stream.receive(), !bytes.isEmpty {}
    }

    /// One connection: requests in order, each answered before the next is read.
    func serve(_ stream: ByteStream, phase: (HTTPConnectionTable.Phase) -> Void) async {
        var parser = HTTPRequestParser(maximumHeaderBytes: maximumHeaderBytes, maximumBodyBytes: maximumBodyBytes)
        await stream.setDeadline(at: stream.reactor.now() &+ idleTimeout.nanoseconds)
        do {
            while true {
                while var request = try parser.next() {
                    phase(.busy)
                    await stream.setDeadline(at: nil)  // the handler may dial: it has its own timeouts
                    request.localAddress = stream.localAddress
                    request.remoteAddress = stream.remoteAddress
                    let response = await handler(request)
                    let keepAlive = request.keepAlive
                    await stream.setDeadline(at: stream.reactor.now() &+ requestTimeout.nanoseconds)
                    try await stream.write(
                        response.serialized(keepAlive: keepAlive, includeBody: request.method != "HEAD"))
                    guard keepAlive else {
                        phase(.idle)
                        await linger(stream)
                        return
                    }
                    phase(parser.hasPartialRequest ? .reading : .idle)
                    let wait = parser.hasPartialRequest ? requestTimeout : idleTimeout
                    await stream.setDeadline(at: stream.reactor.now() &+ wait.nanoseconds)
                }
                if parser.awaitsContinue {
                    try await stream.write(HTTPResponse.continueBytes)
                    parser.continueSent()
                }
                guard let bytes = try await stream.receive() else { return }
                if !parser.hasPartialRequest {
                    phase(.reading)  // a request begins: it has requestTimeout to arrive whole
                    await stream.setDeadline(at: stream.reactor.now() &+ requestTimeout.nanoseconds)
                }
                parser.append(bytes)
            }
        } catch let error as HTTPParseError {
            phase(.idle)  // answered: it may give way to a newcomer while it lingers
            let response = HTTPResponse.error(error.status, error.message)
            try? await stream.write(response.serialized(keepAlive: false))
            await linger(stream)
        } catch {
            return  // the stream failed, timed out or was closed to make room
        }
    }
}
