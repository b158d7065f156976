import Testing

@testable import Diagnostics

/// The reasons file carries the node's limits beside the cycle, so `diagnose` can judge a count
/// against what the node may reach; a snapshot without them renders INTERFACE.md's four fields.
@Suite struct ReportLimitsTests {
    @Test func limits_appearInTheCycle_onlyWhenKnown() {
        var snapshot = DebugSnapshot()
        snapshot.cycle = (1, 1, 1, 8)
        let reports = PublicReports(redactor: Redactor(enabled: true))
        #expect(reports.connectReasons(snapshot, timestamp: "T")["cycle"]?.objectValue?.count == 4)
        snapshot.limits = .init(maximumPeers: 1, minimumOutbound: 8, lan: true, listenPort: 7072)
        let cycle = reports.connectReasons(snapshot, timestamp: "T")["cycle"]
        #expect(cycle?["max_peers"]?.intValue == 1)
        #expect(cycle?["min_outbound"]?.intValue == 8)
        #expect(cycle?["lan"]?.boolValue == true)
        #expect(cycle?["listen_port"]?.intValue == 7072)
        #expect(cycle?["target"]?.intValue == 8)
    }
}
