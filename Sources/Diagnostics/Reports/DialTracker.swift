/// One failed dial, as the debug endpoint and reports show it.
public struct DialFailure: Sendable, Equatable {
    public var address: String
    public var reason: String
    public var timestampUnix: Int
    public var source: String

    public init(address: String, reason: String, timestampUnix: Int, source: String) {
        self.address = address
        self.reason = reason
        self.timestampUnix = timestampUnix
        self.source = source
    }
}

/// The last `capacity` dial failures, oldest first (a FIFO ring).
public struct DialTracker: Sendable {
    public let capacity: Int
    private var storage: [DialFailure] = []
    private var start = 0

    public init(capacity: Int = 100) {
        self.capacity = capacity
    }

    public mutating func record(_ failure: DialFailure) {
        if storage.count < capacity {
            storage.append(failure)
        } else {
            storage[start] = failure
            start = (start + 1) % capacity
        }
    }

    /// Oldest first.
    public var failures: [DialFailure] {
        Array(storage[start...] + storage[..<start])
    }
}
