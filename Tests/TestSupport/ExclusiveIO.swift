/// One async lock for the whole test process. Tests that count the process's open
/// descriptors hold it, so that no other such test (in any test target) runs meanwhile;
/// `@Suite(.serialized)` only orders the tests inside one suite.
public actor ExclusiveIO {
    public static let shared = ExclusiveIO()

    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` while no other holder runs.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
