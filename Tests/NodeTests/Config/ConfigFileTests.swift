import Testing

@testable import Node

@Suite struct ConfigFileTests {
    func operations(_ text: String) throws -> [(flag: String, value: String?, line: Int)] {
        try ConfigFile.operations(Array(text.utf8), path: "meshnode.toml")
    }

    func message(_ text: String) -> String? {
        do {
            _ = try operations(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The issue's case: `lan = yes` used to be answered "strings need double quotes".
    @Test(arguments: [
        ("lan = yes", "line 1: 'lan' expects a boolean (true or false), not 'yes'"),
        ("lan = 1", "line 1: 'lan' expects a boolean (true or false), not an integer"),
        ("lan = \"true\"", "line 1: 'lan' expects a boolean (true or false), not a string"),
        ("max_peers = 1.5", "line 1: 'max_peers' expects an integer, not a float"),
        ("max_peers = many", "line 1: 'max_peers' expects an integer, not 'many'"),
        ("seed_peers = \"a:1\"", "line 1: 'seed_peers' expects an array of strings"),
        ("chain_id = mainnet", "line 1: 'chain_id' expects a string in double quotes, not 'mainnet'"),
        (
            "tick_seconds = inf",
            "line 1: 'tick_seconds' expects a number of seconds, such as 30 or 0.5, not a float (inf"
        ),
        ("tick_seconds = nan", "(inf or nan)"),
    ])
    func typeErrors_sayWhatTheKeyExpects(_ text: String, _ expected: String) {
        let text = message(text)
        #expect(text?.contains(expected) == true, "\(text ?? "accepted")")
    }

    @Test func crlfFileStartingWithAComment_stillRejectsAnUnknownKey() {
        #expect(message("# my node\r\nlistne = \"0.0.0.0:7071\"\r\n")?.contains("line 2: unknown key 'listne'") == true)
    }

    @Test func settings_becomeFlagsWithTheirLines() throws {
        let result = try operations(
            "\u{FEFF}seed_peers = [\"a:1\", \"b:2\"]\r\nlan = true\r\nipv4_only = false\r\ntick_seconds = 0.5\r\n"
                + "max_peers = 0x10\r\ncooldown_seconds = 2\r\n")
        #expect(result.map(\.flag) == ["--seed", "--seed", "--lan", "--tick", "--max-peers", "--cooldown"])
        #expect(result.map(\.value) == ["a:1", "b:2", nil, "0.5", "16", "2"])
        #expect(result.map(\.line) == [1, 1, 2, 4, 5, 6])
    }

    @Test func oversizedFile_isRefused() {
        let huge = [UInt8](repeating: UInt8(ascii: "#"), count: ConfigFile.maximumBytes + 1)
        #expect(throws: Command.UsageError.self) { try ConfigFile.operations(huge, path: "big.toml") }
    }
}
