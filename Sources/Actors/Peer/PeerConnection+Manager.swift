import Wire

extension PeerConnection {
    /// Tells the manager, in this step, that this side decided to end the session, so that
    /// the registry stops reaching it before the linger ends. The manager shares this actor's
    /// reactor: the call is synchronous. It may re-enter a manager that is closing this very
    /// session (a duplicate, shutdown); the table has let the session go by then, so it is a
    /// no-op there.
    func closing(_ reason: ReasonCode) {
        context.manager.onLoop((self, reason)) { manager, closing in
            manager.sessionClosing(closing.0, reason: closing.1)
        }
    }
}
