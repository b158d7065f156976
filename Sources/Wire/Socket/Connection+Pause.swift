/// Back-pressure from the consumer of a connection's frames.
extension Connection {
    /// Stops reading from the socket: arriving bytes wait in the kernel's receive buffer and
    /// TCP flow control slows the sender. Writing and closing are unaffected. A hang-up is
    /// only seen once reading resumes.
    public func pauseReading() {
        readingPaused = true
    }

    /// Reads again, from a later loop pass (no new edge would announce bytes that arrived
    /// while paused).
    public func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        guard failure == nil else { return }
        reactor.execute { self.onLoop(()) { connection, _ in connection.serveReader() } }
    }

    /// Whether `pauseReading()` is in effect.
    public var isReadingPaused: Bool { readingPaused }
}
