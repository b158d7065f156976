import Wire

/// A small HTTP/1.1 server on the Wire reactor for the debug endpoint: keep-alive, limits on
/// header and body size, a deadline per request and per idle connection, a cap on
/// connections. Whatever bytes a client sends, other clients keep being served.
public struct HTTPServer: Sendable {
    public let listener: Listener
    public let handler: @Sendable (HTTPRequest) async -> HTTPResponse
    /// A request must arrive whole within this time of its first byte.
    public var requestTimeout: Duration = .seconds(5)
    /// A keep-alive connection with no request for this long is closed.
    public var idleTimeout: Duration = .seconds(15)
    public var maximumConnections = 64
    public var maximumHeaderBytes = 16 << 10
    public var maximumBodyBytes = 64 << 10

    public init(listener: Listener, handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) {
        self.listener = listener
        self.handler = handler
    }

    /// Serves until the listener is closed or the task is cancelled.
    public func run() async {
        let active = LockedValue(0)  // open connections
        await withDiscardingTaskGroup { group in
            while let connection = try? await listener.accept() {
                let admitted = active.withLock { count -> Bool in
                    guard count < maximumConnections else { return false }
                    count += 1
                    return true
                }
                group.addTask(executorPreference: listener.reactor) {
                    if admitted {
                        await serve(connection)
                        active.withLock { $0 -= 1 }
                    } else {
                        await refuse(connection)
                    }
                }
            }
            group.cancelAll()
        }
    }

    private func refuse(_ connection: Connection) async {
        let response = HTTPResponse.error(503, "too many debug connections")
        try? await connection.send(bytes: response.serialized(keepAlive: false))
        try? await connection.flush()
        await connection.close()
    }

    /// One connection: requests in order, each answered before the next is read.
    func serve(_ connection: Connection) async {
        let deadline = LockedValue(Reactor.now() &+ idleTimeout.nanoseconds)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await exchange(connection, deadline: deadline)
                await connection.close()
            }
            group.addTask {
                // The watchdog: a slow or silent client is closed at its deadline.
                while !Task.isCancelled {
                    do { try await connection.reactor.sleep(for: .milliseconds(250)) } catch { return }
                    if Reactor.now() >= deadline.value {
                        await connection.close()
                        return
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func exchange(_ connection: Connection, deadline: LockedValue<UInt64>) async {
        var parser = HTTPRequestParser(maximumHeaderBytes: maximumHeaderBytes, maximumBodyBytes: maximumBodyBytes)
        while true {
            do {
                while let request = try parser.next() {
                    let response = await handler(request)
                    let keepAlive = request.keepAlive
                    try await connection.send(bytes: response.serialized(keepAlive: keepAlive))
                    guard keepAlive else {
                        try await connection.flush()
                        return
                    }
                    deadline.withLock { $0 = Reactor.now() &+ idleTimeout.nanoseconds }
                }
            } catch let error as HTTPParseError {
                let response = HTTPResponse.error(error.status, error.message)
                try? await connection.send(bytes: response.serialized(keepAlive: false))
                // Lingering close: half-close, then read and discard what the client is still
                // sending (for a second at most). Closing with unread input would reset the
                // connection, and the client could lose the error response.
                await connection.shutdownOutputAfterFlush()
                deadline.withLock { $0 = Reactor.now() &+ Duration.seconds(1).nanoseconds }
                while let bytes = try? await connection.receiveBytes(), !bytes.isEmpty {}
                return
            } catch {
                return
            }
            guard let bytes = try? await connection.receiveBytes() else { return }
            if !parser.hasPartialRequest {
                deadline.withLock { $0 = Reactor.now() &+ requestTimeout.nanoseconds }  // a request begins
            }
            parser.append(bytes)
        }
    }
}
