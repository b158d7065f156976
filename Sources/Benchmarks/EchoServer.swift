import Wire

/// The framed-echo server of ../shared/bench/WORKLOADS.md, built on the same Wire paths a peer
/// connection uses: the reactor, `Listener.connections`, `Connection.deliverBatches` and the
/// buffered writer.
struct EchoServer {
    let host: IPAddress
    let port: UInt16
    let maximumFrameSize: Int

    func run() async throws {
        let reactor = Reactor.shared
        // A small high watermark: an echo that outruns its client stops reading early, which
        // keeps memory flat (16 streams × 1 MiB of queued echoes would double the RSS).
        let options = Connection.Options(
            maximumFrameSize: maximumFrameSize, highWatermark: 256 << 10, lowWatermark: 64 << 10,
            maximumBufferedBytes: .max)
        let listener = try Listener(
            bindingTo: SocketAddress(ip: host, port: port), backlog: 4096, reactor: reactor,
            connectionOptions: options)
        let watcher = SignalWatcher()
        Posix.printFlushed("ready")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: reactor) {
                for await _ in watcher.signals { break }
                await listener.close()
            }
            // The accept loop prefers the reactor too: `main` is MainActor-isolated, and every
            // accept would otherwise hop to the main thread and back.
            group.addTask(executorPreference: reactor) {
                try await withThrowingDiscardingTaskGroup { connections in
                    for try await connection in listener.connections {
                        connections.addTask(executorPreference: reactor) {
                            await Self.echo(connection)
                        }
                    }
                    connections.cancelAll()
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Writes back every batch as it is delivered, then closes when the client does. Past the
    /// high watermark delivery pauses (nothing is read) until the output drains.
    static func echo(_ connection: Connection) async {
        do {
            while try await connection.deliverBatches(to: { batch in
                try connection.onLoop(batch) { connection, batch in
                    try connection.send(batch: batch)
                    return connection.bufferedBytes > connection.options.highWatermark ? .pause : .proceed
                }
            }) == .paused {
                try await connection.waitUntilWritable()
            }
            try await connection.flush()
        } catch {}
        await connection.close()
    }
}
