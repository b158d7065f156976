import Foundation
import Testing

@testable import Actors
@testable import Wire

/// Random sequences of events against the pure PeerTable, with a registry kept only from the
/// actions it returns (as the manager keeps it). Cheap, so it runs many more sequences than
/// the manager's model test; the checks are the same.
@Suite struct PeerTableModelTests {
    @Test func randomEventSequences_actionsKeepRegistryEqualToSessions() {
        for seed in SeededGenerator.seeds(count: 400, environment: ProcessInfo.processInfo.environment) {
            var model = TableModel(seed: seed)
            if let failure = model.run(steps: 150) {
                let events = model.trace.joined(separator: "\n")
                Issue.record("seed \(seed) (replay: MESHNODE_MODEL_SEED=\(seed)): \(failure)\nevents:\n\(events)")
                return
            }
        }
    }
}

/// The table at 10.0.0.3 with four LAN peers around it and two public ones in one /16 (so
/// the throttle and the network-group limits take part); ids and time are the model's.
struct TableModel {
    static let ownIP = IPAddress.v4(0x0A00_0003)
    static let peerIPs: [IPAddress] = [0x0A00_0001, 0x0A00_0002, 0x0A00_0004, 0x0A00_0005, 0x0B01_0001, 0x0B01_0002]
        .map { .v4($0) }

    /// A connection the table knows about, from the model's side.
    struct Link {
        var id: UInt64
        var ip: PeerIP
        var direction: Direction
        /// Past the handshake (else a dial or an inbound handshake in flight).
        var established = false
        /// The table told the manager to close it.
        var closed = false
        /// It was registered at some point (its end is then a disconnect).
        var announced = false
        /// An inbound connection admitted while its IP held nothing (it took a pending slot;
        /// a second connection of an IP with a session or a dial does not).
        var admittedAsNew = false
    }

    var random: SeededGenerator
    var table: PeerTable
    /// Kept only from `register`/`unregister` actions, as the manager keeps its registry.
    var registry: [PeerIP: UInt64] = [:]
    var connections: [Link] = []
    var nextID: UInt64 = 0
    var now = 1000.0
    var disconnectsReported = 0
    var disconnectsExpected = 0
    var trace: [String] = []

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
        table = PeerTable(
            limits: .init(minimumOutbound: 2, maximumPeers: 4, manualSlots: 1),
            policy: DialPolicy(lan: true, ipv4Only: false, ownAddresses: [PeerIP(Self.ownIP)]))
    }

    mutating func run(steps: Int) -> String? {
        for _ in 0..<steps {
            if let broken = step() ?? check() { return broken }
        }
        // Everything in flight ends, in a random order.
        while !connections.isEmpty {
            let index = Int.random(in: 0..<connections.count, using: &random)
            if let broken = end(index) ?? check() { return broken }
        }
        if table.liveSessionCount != 0 || !table.connecting.isEmpty || table.pendingInbound != 0 || !registry.isEmpty {
            return "after every connection ended: \(table.liveSessionCount) live, \(table.connecting.count) "
                + "connecting, \(table.pendingInbound) pending, \(registry.count) registered"
        }
        return nil
    }

    mutating func step() -> String? {
        now += Double(Int.random(in: 0...40, using: &random))
        let ip = PeerIP(Self.peerIPs.randomElement(using: &random)!)
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<20:
            let address = SocketAddress(ip: ip.address, port: 7071)
            // A manual connect (its own slots), or the maintainer's dial of a book entry.
            let manual = Bool.random(using: &random)
            if !manual { table.book.add(address, source: .peerBook, now: now) }
            let go = table.decideDial(
                address, source: manual ? .direct : .peerBook, localIP: Self.ownIP, now: now, bypassCooldown: manual)
            trace.append("dial \(ip) (\(manual ? "manual" : "book")): \(go.map(\.rawValue) ?? "go")")
            guard go == nil else { return nil }
            if connections.contains(where: { $0.ip == ip && !$0.established && $0.direction == .outbound }) {
                return "a second dial to \(ip) was allowed while one is in flight"
            }
            if let open = connections.first(where: { $0.ip == ip && $0.established && !$0.closed }) {
                return "a dial to \(ip) was allowed while session #\(open.id) is open"
            }
            nextID += 1
            connections.append(Link(id: nextID, ip: ip, direction: .outbound))
        case 20..<40:
            let isNew = table.sessions[ip] == nil && !table.connecting.contains(ip)
            let refusal = table.admitInbound(ip, localIP: Self.ownIP, now: now)
            trace.append("inbound \(ip): \(refusal.map(\.rawValue) ?? "admitted")")
            guard refusal == nil else { return nil }
            if connections.contains(where: { $0.ip == ip && !$0.established && $0.direction == .inbound }) {
                return "a second pending inbound connection of \(ip) was admitted"
            }
            nextID += 1
            connections.append(Link(id: nextID, ip: ip, direction: .inbound, admittedAsNew: isNew))
        case 40..<98 where !connections.isEmpty:
            let index = Int.random(in: 0..<connections.count, using: &random)
            if connections[index].established {
                return Int.random(in: 0..<4, using: &random) == 0 ? closeItself(index) : end(index)
            }
            return Int.random(in: 0..<4, using: &random) == 0 ? fail(index) : establish(index)
        case 98..<100:
            trace.append("shutdown")
            return perform(table.shutdown())
        default: break
        }
        return nil
    }

    mutating func establish(_ index: Int) -> String? {
        let connection = connections[index]
        connections[index].established = true
        trace.append("\(connection.direction) \(connection.ip) #\(connection.id): established")
        return perform(
            table.established(
                connection.ip, id: connection.id, direction: connection.direction, localIP: Self.ownIP,
                listenAddress: SocketAddress(ip: connection.ip.address, port: 7071), now: now))
    }

    mutating func fail(_ index: Int) -> String? {
        let connection = connections.remove(at: index)
        let reason: ReasonCode = [.handshakeTimeout, .genesisMismatch, .protocolViolation].randomElement(
            using: &random)!
        trace.append("\(connection.direction) \(connection.ip) #\(connection.id): failed \(reason)")
        switch connection.direction {
        case .outbound:
            let address = SocketAddress(ip: connection.ip.address, port: 7071)
            return perform(table.dialFailed(address, reason: reason, handshake: Bool.random(using: &random), now: now))
        case .inbound:
            return perform(table.inboundFailed(connection.ip, reason: reason, now: now))
        }
    }

    /// A session decides to close by itself; its task ends later.
    mutating func closeItself(_ index: Int) -> String? {
        let connection = connections[index]
        connections[index].closed = true
        trace.append("session \(connection.ip) #\(connection.id): closes itself")
        return perform(table.sessionClosing(connection.ip, id: connection.id, reason: .pingTimeout, now: now))
    }

    /// A session's task ends (a connection not yet through its handshake fails instead).
    mutating func end(_ index: Int) -> String? {
        guard connections[index].established else { return fail(index) }
        let connection = connections.remove(at: index)
        let reason: ReasonCode = Int.random(in: 0..<5, using: &random) == 0 ? .protocolViolation : .remoteClosed
        trace.append("session \(connection.ip) #\(connection.id): ended \(reason)")
        if connection.announced { disconnectsExpected += 1 }
        return perform(table.sessionEnded(connection.ip, id: connection.id, reason: reason, now: now))
    }

    /// Carries out actions as the manager does, checking each against the model.
    mutating func perform(_ actions: [PeerTable.Action]) -> String? {
        for action in actions {
            switch action {
            case .register(let ip, let id):
                guard let index = connections.firstIndex(where: { $0.id == id }), connections[index].ip == ip else {
                    return "registered #\(id) for \(ip), which is not a live connection of it"
                }
                if connections[index].closed { return "registered #\(id), which was closed" }
                if let old = registry[ip] { return "registered #\(id) over #\(old) without closing it" }
                connections[index].announced = true
                registry[ip] = id
            case .unregister(let ip):
                registry[ip] = nil
            case .close(let ip, let id, _):
                guard let index = connections.firstIndex(where: { $0.id == id && $0.ip == ip }) else {
                    return "closed #\(id) of \(ip), which is not live"
                }
                if registry[ip] == id { registry[ip] = nil }
                connections[index].closed = true
            case .report(.disconnected):
                disconnectsReported += 1
            case .report:
                break
            }
        }
        return nil
    }

    func check() -> String? {
        let sessions = table.sessions.mapValues(\.id)
        if registry != sessions { return "registry \(registry) differs from the table's sessions \(sessions)" }
        for (ip, id) in registry {
            guard let connection = connections.first(where: { $0.id == id }) else {
                return "registry reaches #\(id) of \(ip), which ended"
            }
            if connection.closed { return "registry reaches #\(id) of \(ip), which was closed" }
        }
        var open: [PeerIP: Int] = [:]
        for connection in connections where connection.established && !connection.closed {
            open[connection.ip, default: 0] += 1
            if registry[connection.ip] != connection.id {
                return "open session #\(connection.id) of \(connection.ip) is not reachable"
            }
        }
        if let (ip, count) = open.first(where: { $0.value > 1 }) { return "\(count) open sessions with \(ip)" }
        let dials = connections.filter { !$0.established && $0.direction == .outbound }.count
        if table.connecting.count != dials { return "table counts \(table.connecting.count) dials, \(dials) in flight" }
        let handshakes = connections.filter { !$0.established && $0.direction == .inbound }.count
        if table.pendingInbound != handshakes {
            return "table counts \(table.pendingInbound) inbound handshakes, \(handshakes) in flight"
        }
        let live = connections.filter(\.established).count
        if table.liveSessionCount != live { return "table counts \(table.liveSessionCount) live sessions, \(live)" }
        // Slots: per IP, within the limits, and a manual slot only while its IP holds something.
        let counts = table.slotCounts()
        if counts.occupied > table.limits.maximumPeers {
            return "\(counts.occupied) slots occupied, limit \(table.limits.maximumPeers)"
        }
        if counts.manual > table.limits.manualSlots { return "\(counts.manual) manual slots, limit 1" }
        let newPending = connections.filter { !$0.established && $0.direction == .inbound && $0.admittedAsNew }.count
        if newPending > table.limits.pendingLimit {
            return "\(newPending) pending connections admitted for new IPs, limit \(table.limits.pendingLimit)"
        }
        for ip in table.manual
        where table.sessions[ip] == nil && !table.connecting.contains(ip) && !table.pending.contains(ip) {
            return "manual slot of \(ip) kept with nothing in flight"
        }
        if disconnectsReported != disconnectsExpected {
            return "\(disconnectsReported) disconnects reported, \(disconnectsExpected) announced sessions ended"
        }
        if table.isStopping && !registry.isEmpty { return "after shutdown the registry reaches \(registry)" }
        return nil
    }
}
