import Testing

@testable import Diagnostics

/// The bound under every report store: least recently updated out first, kept values spared.
@Suite struct BoundedPeerMapTests {
    @Test func evictsTheLeastRecentlyUpdated_notTheOldestInserted() {
        var map = BoundedPeerMap<Int>(capacity: 3)
        for ip in ["a", "b", "c"] { map.update(ip, initial: { 0 }) { $0 += 1 } }
        map.update("a", initial: { 0 }) { $0 += 1 }  // a is now the newest
        map.update("d", initial: { 0 }) { $0 += 1 }  // evicts b
        #expect(map.count == 3)
        #expect(map["a"] == 2 && map["b"] == nil && map["c"] == 1 && map["d"] == 1)
        map.update("e", initial: { 0 }) { $0 += 1 }  // evicts c
        #expect(map["c"] == nil && Set(map.all.map(\.ip)) == ["a", "d", "e"])
    }

    @Test func readingDoesNotChangeWhatIsEvicted() {
        var map = BoundedPeerMap<Int>(capacity: 2)
        map.update("a", initial: { 1 }) { _ in }
        map.update("b", initial: { 2 }) { _ in }
        _ = map["a"]
        map.update("c", initial: { 3 }) { _ in }
        #expect(map["a"] == nil && map["b"] == 2)
    }

    @Test func keptValues_areSpared_whileAnUnkeptOneExists() {
        var map = BoundedPeerMap<Bool>(capacity: 4)  // value: kept?
        map.update("held", initial: { true }) { _ in }
        for index in 0..<1_000 { map.update("ip\(index)", initial: { false }, keep: { $0 }) { _ in } }
        #expect(map["held"] == true && map.count == 4)
        // All kept: the oldest goes anyway (the map never grows).
        var full = BoundedPeerMap<Bool>(capacity: 2)
        for ip in ["x", "y", "z"] { full.update(ip, initial: { true }, keep: { $0 }) { _ in } }
        #expect(full.count == 2 && full["z"] == true)
    }

    // The linked order stays consistent under a random mix (checked against a simple model).
    @Test func matchesAModelUnderRandomUpdates() {
        var map = BoundedPeerMap<Int>(capacity: 16)
        var model: [(String, Int)] = []  // oldest first
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for step in 0..<20_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let ip = "10.0.0.\(Int(seed >> 33) % 40)"
            map.update(ip, initial: { 0 }) { $0 = step }
            model.removeAll { $0.0 == ip }
            model.append((ip, step))
            if model.count > 16 { model.removeFirst() }
        }
        #expect(map.count == model.count)
        for (ip, value) in model { #expect(map[ip] == value, "\(ip)") }
    }
}
