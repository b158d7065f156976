/// An actor whose executor is a reactor: code already running on that reactor's thread may
/// enter it synchronously.
///
/// ## What may re-enter what
/// Entering with `onLoop` is a plain call on one stack, so these are the only chains allowed
/// (each arrow is a synchronous call on the loop thread):
/// - epoll → `Connection.handle` → read cycle → the `deliverBatches` handler →
///   `PeerConnection.handle(frames:)` (or, before the HandshakeAck, `handshakeReceived`) →
///   `Connection.send` / `shutdownOutputAfterFlush` / `close` / `liftFrameSizeRestriction`,
///   `ConnectionManager` (which may `close` *other* connections), `PayloadChannel`.
///   This is the one re-entry into a connection from inside itself, and it is guarded: while
///   a batch is being delivered, a flush or a close of that connection is recorded by its
///   `ConnectionLifecycle` and carried out when the handler returns (NIO's `inFlushNow` plays
///   the same part). `send` only queues bytes, so it needs no guard; a close is visible at
///   once (later sends throw), only the teardown waits. A delivery never starts inside
///   another delivery of the same connection (`beginDelivery` traps if it would).
/// - a timer (reactor) → `PeerConnection` / `Connection` / `Listener` / `Sleepers` (liveness,
///   linger, handshake deadline, connect deadline, accept backoff, `Reactor.sleep`) →
///   `Connection.send` / `close`, or a waiter resumed.
/// - end of a loop pass → `Connection.reactorFlush` → the write path (never reads).
/// - a cancellation handler never enters: it hops with `reactor.execute` (`suspend`).
/// Nothing called from these chains may `await`: an actor method that suspends would let
/// other work interleave inside what the chain assumes is one step.
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
