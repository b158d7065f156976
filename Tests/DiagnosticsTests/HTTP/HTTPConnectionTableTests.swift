import Testing

@testable import Diagnostics
@testable import Wire

@Suite struct HTTPConnectionTableTests {
    let a = IPAddress(parsing: "127.0.0.1")!
    let b = IPAddress(parsing: "127.0.0.2")!

    @Test func full_theLongestIdleGivesWay_notTheNewcomer() {
        var table = HTTPConnectionTable(maximumConnections: 3, maximumPerIP: 3)
        #expect(table.admit(1, from: a) == [])
        #expect(table.admit(2, from: a) == [])
        #expect(table.admit(3, from: b) == [])
        table.set(1, .busy)
        table.set(2, .busy)
        table.set(2, .idle)  // 2 has just been answered; 3 has been silent since it connected
        #expect(table.admit(4, from: b) == [3])
        #expect(table.count == 3)
    }

    @Test func idleGoesBeforeAHalfReadRequest_andBusyNever() {
        var table = HTTPConnectionTable(maximumConnections: 2, maximumPerIP: 2)
        _ = table.admit(1, from: a)
        _ = table.admit(2, from: a)
        table.set(1, .reading)
        #expect(table.admit(3, from: b) == [2])
        table.set(3, .busy)
        #expect(table.admit(4, from: b) == [1])  // a stalled request before refusing anyone
        table.set(4, .busy)
        #expect(table.admit(5, from: b) == nil)  // every one is being answered: refuse
        #expect(table.count == 2)
    }

    @Test func perIPCap_evictsThatIPsOwn_andSparesOthers() {
        var table = HTTPConnectionTable(maximumConnections: 10, maximumPerIP: 2)
        _ = table.admit(1, from: b)
        _ = table.admit(2, from: a)
        _ = table.admit(3, from: a)
        #expect(table.admit(4, from: a) == [2])
        table.set(3, .busy)
        table.set(4, .busy)
        #expect(table.admit(5, from: a) == nil)
        #expect(table.entries[1] != nil)
    }
}
