import Wire

extension Logger {
    /// Logs an event whose reason is a reason code (logged as the code's snake_case name), so
    /// a call site cannot misspell a reason as a string literal.
    public func log(
        _ level: LogLevel, _ event: String, peer: String? = nil, reason: ReasonCode,
        _ fields: [(String, LogEvent.Value)] = [], origin: Origin = .node
    ) {
        log(level, event, peer: peer, reason: reason.rawValue, fields, origin: origin)
    }
}
