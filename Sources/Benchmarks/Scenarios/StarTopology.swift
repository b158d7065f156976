import Actors
import Synchronization
import Wire

/// A hub and P spokes that each hold one connection, to the hub.
enum StarTopology {
    static func configurations(peers: Int, block: UInt32, pingInterval: Double = 15) -> [NodeConfiguration] {
        let hub = BenchNodes.address(0, block: block)
        var hubConfiguration = BenchNodes.configuration(hub, tick: 0.5, outbound: 0, maxPeers: peers + 8)
        hubConfiguration.pingInterval = .nanoseconds(Int64(pingInterval * 1e9))
        var configurations = [hubConfiguration]
        for index in 1...peers {
            var spoke = BenchNodes.configuration(
                BenchNodes.address(index, block: block), tick: 0.5, outbound: 1, maxPeers: 2)
            spoke.directPeers = [hub]
            spoke.pingInterval = .nanoseconds(Int64(pingInterval * 1e9))
            configurations.append(spoke)
        }
        return configurations
    }

    /// Waits until the hub holds every spoke.
    static func waitForStar(_ nodes: [MeshNode]) async throws {
        let peers = nodes.count - 1
        guard await BenchNodes.waitUntil(timeout: 30, { await nodes[0].registry.count == peers }) != nil else {
            throw BenchError("the hub did not reach \(peers) peers")
        }
    }
}

/// Counts payload receipts across every spoke. Atomics, not an actor: the spokes count from
/// their own reactor threads, and a hop to an actor would cost the harness more than a
/// delivery costs the node.
final class ReceiptLog: Sendable {
    private let receivedCount = Atomic<Int>(0)
    private let lastReceiptNanoseconds = Atomic<UInt64>(0)
    let sampleEvery: Int

    init(sampleEvery: Int) {
        self.sampleEvery = sampleEvery
    }

    var received: Int { receivedCount.load(ordering: .acquiring) }
    /// When the last receipt was recorded, in `now()` seconds (Reactor.now's clock).
    var lastReceipt: Double { Double(lastReceiptNanoseconds.load(ordering: .relaxed)) / 1e9 }

    func record(_ count: Int) {
        lastReceiptNanoseconds.max(Reactor.now(), ordering: .relaxed)
        receivedCount.add(count, ordering: .releasing)
    }
}

/// The payload of a timed message: send time (ns, Reactor.now) then padding.
func timedPayload(size: Int) -> [UInt8] {
    var payload = [UInt8](repeating: 0xAB, count: max(8, size))
    let time = Reactor.now()
    withUnsafeBytes(of: time.bigEndian) { payload.replaceSubrange(0..<8, with: $0) }
    return payload
}

func sendTime(of payload: [UInt8]) -> UInt64 {
    payload.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
}
