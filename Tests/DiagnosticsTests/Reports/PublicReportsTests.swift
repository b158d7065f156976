import Foundation
import Testing

@testable import Diagnostics

@Suite struct PublicReportsTests {
    func snapshot() -> DebugSnapshot {
        var snapshot = DebugSnapshot()
        snapshot.store.knownPeers = 7
        snapshot.store.connected = 2
        snapshot.cycle = (3, 1, 2, 8)
        snapshot.reasons = [
            .init(reason: "already_connected", count: 9, samples: ["1.2.3.4:7071"]),
            .init(reason: "cooldown_active", count: 4, samples: (1...7).map { "75.128.3.\($0):7071" }),
            .init(reason: "connection_refused", count: 2, samples: ["10.0.0.1:7071"]),
        ]
        return snapshot
    }

    @Test func connectReasons_hasFieldsBlockersAndRedactedSamples() throws {
        let json = PublicReports(redactor: Redactor(enabled: true)).connectReasons(snapshot(), timestamp: "T")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.render(pretty: true).utf8)) as? [String: Any])
        // INTERFACE.md's fields, plus the last tick's funnel (issue #16: "in the reasons file").
        #expect(Set(object.keys) == ["ts", "scope", "cycle", "top_blockers", "reasons", "funnel"])
        #expect(object["funnel"] is NSNull)  // no tick recorded yet
        let blockers = try #require(object["top_blockers"] as? [String: Any])
        #expect(blockers["primary"] as? String == "cooldown_active")
        #expect(blockers["secondary"] as? String == "connection_refused")
        #expect(blockers["third"] is NSNull)
        let reasons = try #require(object["reasons"] as? [[String: Any]])
        let cooldown = try #require(reasons.first { $0["reason"] as? String == "cooldown_active" })
        let samples = try #require(cooldown["samples"] as? [String])
        #expect(samples.count == 5)
        #expect(samples.allSatisfy { $0 == "75.128.***:***:7071" })
        #expect(
            try #require(object["cycle"] as? [String: Int]) == [
                "attempted": 3, "connected": 1, "final_connected": 2, "target": 8,
            ])
    }

    @Test func redaction_offShowsAddresses() {
        let json = PublicReports(redactor: Redactor(enabled: false)).connectReasons(snapshot(), timestamp: "T")
        #expect(json.render().contains("75.128.3.1:7071"))
    }

    @Test func storeStats_fieldsInInterfaceOrder() {
        let text = PublicReports().storeStats(snapshot(), timestamp: "T").render()
        #expect(
            text
                == "{\"ts\":\"T\",\"scope\":\"public\",\"known_peers\":7,\"connected\":2,\"connecting\":0,\"cooldown\":0,"
                + "\"banned\":0,\"unhealthy\":0,\"attempted_last_cycle\":0,\"connected_last_cycle\":0}")
    }

    @Test func dialTracker_keepsTheLast100OldestFirst() {
        var tracker = DialTracker()
        for index in 0..<150 {
            tracker.record(DialFailure(address: "a\(index)", reason: "timeout", timestampUnix: index, source: "seed"))
        }
        #expect(tracker.failures.count == 100)
        #expect(tracker.failures.first?.address == "a50")
        #expect(tracker.failures.last?.address == "a149")
    }

    @Test func timestamps_areISO8601UTC() {
        #expect(Timestamp.format(unixNanoseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(unixNanoseconds: 1_795_265_955_823_000_000) == "2026-11-21T12:59:15.823Z")
    }
}
