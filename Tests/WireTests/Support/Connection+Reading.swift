@testable import Wire

extension Connection {
    /// Test reading through the one read model: the bodies of every frame delivered until
    /// `count` have arrived (then delivery pauses) or the peer closes cleanly. Throws what the
    /// connection throws; `bodies` keeps what arrived before.
    func readBodies(count: Int = .max, into bodies: LockedValue<[[UInt8]]> = LockedValue([])) async throws
        -> [[UInt8]]
    {
        guard count > 0 else { return [] }
        _ = try await deliverBatches { batch in
            let total = bodies.withLock { bodies -> Int in
                bodies += batch.map { Array($0.body) }
                return bodies.count
            }
            return total >= count ? .pause : .proceed
        }
        return bodies.value
    }
}
