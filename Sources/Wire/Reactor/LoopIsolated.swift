/// An actor whose executor is a reactor: code already running on that reactor's thread may
/// enter it synchronously.
public protocol LoopIsolated: Actor {
    nonisolated var reactor: Reactor { get }
}

extension LoopIsolated {
    /// Runs `body` isolated to this actor, from code on its reactor's thread (another actor
    /// on the same reactor, a timer, an epoll callback).
    ///
    /// It does what `assumeIsolated` does, for the hot paths (a broadcast enters every peer
    /// once per message): the check is one thread-local load instead of the runtime's executor
    /// lookup, and `body` gets its input as `argument`: pass a closure that captures nothing,
    /// which needs no context (`@escaping` costs nothing then). `assumeIsolated` with a
    /// capturing closure allocated and freed a context on every call (seen in `perf`: a
    /// malloc/free pair per peer per broadcast).
    @inlinable @inline(__always)
    public nonisolated func onLoop<Argument, Result, Failure: Error>(
        _ argument: Argument, _ body: @escaping (isolated Self, Argument) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(reactor.isInLoop, "entered \(Self.self) off its reactor's thread")
        // Sound: the precondition holds, so this thread is this actor's executor now.
        return try unsafeBitCast(body, to: ((Self, Argument) throws(Failure) -> Result).self)(self, argument)
    }
}

extension Connection: LoopIsolated {}
