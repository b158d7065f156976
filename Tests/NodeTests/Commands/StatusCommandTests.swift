import Testing

@testable import Diagnostics
@testable import Node

/// `meshnode status` renders what the endpoint sent, and never traps on numbers it did not
/// expect (the endpoint is another process; its answer is outside input).
@Suite struct StatusCommandTests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func peersBookBlockersAndFailures_areShown() throws {
        let debug = try Self.json(
            #"{"connected_peers":[{"ip":"10.0.0.2","addr":"10.0.0.2:7071","direction":"outbound","#
                + #""connected_since_unix":1000,"last_rtt_ms":1.25}],"peer_book_counts":{"hot":1,"warm":2,"cold":3,"#
                + #""total":6},"dial_failures":[{"addr":"10.0.0.9:7071","reason":"timeout","timestamp_unix":1090,"#
                + #""source":"seed"}]}"#)
        let reasons = try Self.json(#"{"reasons":[{"reason":"cooldown_active","count":4}]}"#)
        let text = StatusCommand.render(debug: debug, reasons: reasons, url: "http://x", now: 1100)
        #expect(text.contains("Peers: 1 connected (1 outbound, 0 inbound)"))
        #expect(text.contains("10.0.0.2:7071") && text.contains("rtt 1.25 ms") && text.contains("up 1m40s"))
        #expect(text.contains("Peer book: 6 known — hot 1, warm 2, cold 3"))
        #expect(text.contains("Top blockers (last cycle): cooldown_active (4)"))
        #expect(text.contains("10.0.0.9:7071") && text.contains("timeout") && text.contains("10s ago"))
    }

    @Test func extremeNumbers_renderWithoutTrapping() throws {
        let debug = try Self.json(
            #"{"connected_peers":[{"addr":"a","connected_since_unix":-1e308,"last_rtt_ms":1e308},"#
                + #"{"addr":"b","connected_since_unix":1e308,"last_rtt_ms":-1e-308}],"#
                + #""dial_failures":[{"timestamp_unix":-9223372036854775808}],"peer_book_counts":{"total":1e300}}"#)
        let reasons = try Self.json(#"{"reasons":[{"reason":"x","count":9223372036854775807}]}"#)
        let text = StatusCommand.render(debug: debug, reasons: reasons, url: "http://x", now: 1e9)
        #expect(text.contains("Peers: 2 connected"))
        let stats = try Self.json(#"{"known_peers":9223372036854775807}"#)
        let counted = try Self.json(
            #"{"reasons":[{"reason":"timeout","count":9223372036854775807},{"reason":"timeout","count":5}]}"#)
        let advice = DiagnoseCommand.advice(debug: debug, reasons: counted, stats: stats)
        #expect(advice.contains { $0.hasPrefix("\(Int.max) dials timed out") }, "\(advice)")
    }

    @Test func fixedPointFormatting_roundsToTheGivenDecimals_negativeZeroUnsigned() {
        let cases: [(Double, Int, String)] = [
            (1.25, 2, "1.25"), (0.005, 2, "0.01"), (-0.004, 2, "0.00"), (-1.5, 1, "-1.5"), (3, 0, "3"),
            (0.3, 1, "0.3"), (12.0, 3, "12.000"), (.nan, 2, "—"), (.infinity, 2, "—"),
        ]
        for (value, decimals, text) in cases {
            #expect(value.formatted(decimals: decimals) == text, "\(value)")
        }
    }
}
