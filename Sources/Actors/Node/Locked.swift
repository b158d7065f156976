import Wire

/// A value behind a mutex, for state read from any thread (last cycle summary, stats).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: LockedValue<Value>

    init(_ value: Value) {
        mutex = LockedValue(value)
    }

    func get() -> Value { mutex.withLock { $0 } }

    func set(_ value: Value) { mutex.withLock { $0 = value } }

    func update(_ body: (inout Value) -> Void) { mutex.withLock { body(&$0) } }
}
