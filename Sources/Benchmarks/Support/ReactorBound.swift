import Wire

/// An actor on a reactor's thread. Code isolated to it shares the serial executor of the
/// node's actors on that reactor, so its calls into them switch inline; nonisolated code
/// (even on a task that prefers the reactor) queues a job for every call into an actor and
/// another for the way back.
actor ReactorBound {
    let reactor: Reactor

    nonisolated var unownedExecutor: UnownedSerialExecutor { reactor.asUnownedSerialExecutor() }

    init(_ reactor: Reactor) {
        self.reactor = reactor
    }

    /// Runs `body` isolated to the reactor.
    static func run<T: Sendable>(on reactor: Reactor, _ body: @Sendable (isolated ReactorBound) async -> T) async -> T {
        await ReactorBound(reactor).run(body)
    }

    private func run<T: Sendable>(_ body: @Sendable (isolated ReactorBound) async -> T) async -> T {
        await body(self)
    }
}
