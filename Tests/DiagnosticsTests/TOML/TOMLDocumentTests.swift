import Testing

@testable import Diagnostics

@Suite struct TOMLDocumentTests {
    @Test func interfaceExample_parses() throws {
        let document = try TOMLDocument(
            parsing: """
                seed_peers = ["node1.example.com:7071", "192.168.1.100:7071"]
                min_outbound_connections = 8
                max_outbound_connections = 16      # alias accepted for max_peers, as in older configs
                connection_timeout_seconds = 10
                reconnection_interval_seconds = 30 # the maintainer tick
                chain_id = "mainnet"
                listen = "0.0.0.0:7071"
                debug_listen = "127.0.0.1:7070"
                lan = false
                """)
        #expect(document["seed_peers"] == .strings(["node1.example.com:7071", "192.168.1.100:7071"]))
        #expect(document["max_outbound_connections"] == .integer(16))
        #expect(document["chain_id"] == .string("mainnet"))
        #expect(document["lan"] == .boolean(false))
    }

    @Test func multiLineArrays_escapesAndHashesInStrings() throws {
        let document = try TOMLDocument(
            parsing: "seed_peers = [\n  \"a:1\", # first\n  \"b:2\",\n]\nchain_id = \"x#y\\\"z\"\ntick_seconds = 0.5\n")
        #expect(document["seed_peers"] == .strings(["a:1", "b:2"]))
        #expect(document["chain_id"] == .string("x#y\"z"))
        #expect(document["tick_seconds"] == .double(0.5))
    }

    @Test(arguments: [
        ("lan = yes", 1, "cannot read value"), ("\n\nchain_id = \"open", 3, "unterminated string"),
        ("x = 1\nx = 2", 2, "set twice"), ("[server]", 1, "tables"), ("just words", 1, "expected 'key = value'"),
        ("seeds = [1, 2]", 1, "only strings"), ("a = [\"x\"", 1, "never closed"),
    ])
    func errors_nameTheLine(_ text: String, _ line: Int, _ fragment: String) {
        #expect {
            try TOMLDocument(parsing: text)
        } throws: { error in
            guard let error = error as? TOMLDocument.ParseError else { return false }
            return error.line == line && error.message.contains(fragment)
        }
    }
}
