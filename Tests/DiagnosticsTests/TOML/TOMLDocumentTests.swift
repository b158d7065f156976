import Testing

@testable import Diagnostics

@Suite struct TOMLDocumentTests {
    static let interfaceExample = """
        seed_peers = ["node1.example.com:7071", "192.168.1.100:7071"]
        min_outbound_connections = 8
        max_outbound_connections = 16      # alias accepted for max_peers, as in older configs
        connection_timeout_seconds = 10
        reconnection_interval_seconds = 30 # the maintainer tick
        chain_id = "mainnet"
        listen = "0.0.0.0:7071"
        debug_listen = "127.0.0.1:7070"
        lan = false
        """

    func parse(_ bytes: [UInt8]) throws -> TOMLDocument { try TOMLDocument(parsing: bytes) }

    func rejection(_ text: String) -> TOMLDocument.ParseError? {
        rejection(Array(text.utf8))
    }

    func rejection(_ bytes: [UInt8]) -> TOMLDocument.ParseError? {
        do {
            _ = try TOMLDocument(parsing: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func interfaceExample_parses() throws {
        let document = try TOMLDocument(parsing: Self.interfaceExample)
        #expect(document["seed_peers"] == .strings(["node1.example.com:7071", "192.168.1.100:7071"]))
        #expect(document["max_outbound_connections"] == .integer(16))
        #expect(document["chain_id"] == .string("mainnet"))
        #expect(document["lan"] == .boolean(false))
        #expect(document.entries.count == 9)
    }

    @Test func crlfFile_readsLikeTheLFFile() throws {
        let lf = try TOMLDocument(parsing: Self.interfaceExample + "\n")
        let crlf = try parse(Array((Self.interfaceExample + "\n").utf8.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }))
        #expect(crlf == lf)
        #expect(crlf.entries.map(\.line) == Array(1...9))
    }

    /// A CRLF file whose first line is a comment was once read as one comment line: its
    /// keys, unknown ones included, vanished.
    @Test func crlfFileStartingWithAComment_keepsEveryKey() throws {
        let document = try parse(Array("# meshnode\r\nbogus_key = 1\r\nlan = true\r\n".utf8))
        #expect(document.entries.map(\.key) == ["bogus_key", "lan"])
        #expect(document.entries.map(\.line) == [2, 3])
    }

    @Test func leadingByteOrderMark_isSkipped() throws {
        let document = try parse([0xEF, 0xBB, 0xBF] + Array("chain_id = \"x\"\n".utf8))
        #expect(document["chain_id"] == .string("x"))
    }

    @Test func carriageReturnWithoutLineFeed_isRejected() {
        #expect(rejection("a = 1\rb = 2")?.message.contains("carriage return") == true)
    }

    /// TOML 1.0: control characters other than tab are not permitted in comments or strings.
    @Test(arguments: [0x00, 0x01, 0x08, 0x0B, 0x0C, 0x1F, 0x7F] as [UInt8])
    func controlCharacters_inStringsAndComments_areRejected(_ byte: UInt8) {
        let inString = Array("chain_id = \"main".utf8) + [byte] + Array("net\"\n".utf8)
        let inLiteral = Array("chain_id = 'main".utf8) + [byte] + Array("net'\n".utf8)
        let inComment = Array("lan = true # note".utf8) + [byte] + [0x0A]
        for bytes in [inString, inLiteral, inComment] {
            let error = rejection(bytes)
            #expect(error?.line == 1 && error?.message.contains("control character") == true, "\(bytes)")
        }
    }

    @Test func tab_isAllowedInStringsAndComments() throws {
        let document = try parse(Array("chain_id = \"a\tb\"\t# a\tcomment\n".utf8))
        #expect(document["chain_id"] == .string("a\tb"))
    }

    @Test func invalidUTF8_namesItsLine() {
        #expect(rejection([0x61, 0x3D, 0x31, 0x0A] + Array("b = \"".utf8) + [0xC3, 0x28, 0x22])?.line == 2)
    }

    /// The spec's examples (toml.io/en/v1.0.0#string), within one-line strings.
    @Test func basicStringEscapes_asTheSpecLists() throws {
        let document = try TOMLDocument(
            parsing: #"s = "I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF. \U0001F600 \b\f\r\\""#)
        #expect(
            document["s"] == .string("I'm a string. \"You can quote me\". Name\tJosé\nLocation\tSF. 😀 \u{08}\u{0C}\r\\")
        )
        #expect(
            try TOMLDocument(parsing: #"p = 'C:\Users\nodejs\templates'"#)["p"]
                == .string(#"C:\Users\nodejs\templates"#))
    }

    @Test(arguments: [#"s = "\x41""#, #"s = "\e""#, #"s = "\uD800""#, #"s = "\U00110000""#, #"s = "\u12""#])
    func escapesOutsideTOML10_areRejected(_ text: String) {
        #expect(rejection(text)?.message.contains("escape") == true || rejection(text)?.message.contains("hex") == true)
    }

    /// toml.io/en/v1.0.0#integer, every example.
    @Test(arguments: [
        ("+99", 99), ("42", 42), ("0", 0), ("-17", -17), ("+0", 0), ("-0", 0), ("1_000", 1000),
        ("5_349_221", 5_349_221), ("53_49_221", 5_349_221), ("1_2_3_4_5", 12345), ("0xDEADBEEF", 0xDEAD_BEEF),
        ("0xdeadbeef", 0xDEAD_BEEF), ("0xdead_beef", 0xDEAD_BEEF), ("0o01234567", 0o01234567), ("0o755", 0o755),
        ("0b11010110", 0b11010110), ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
        ("0x7FFFFFFFFFFFFFFF", Int.max),
    ])
    func integers_readAsTheSpecSays(_ text: String, _ value: Int) throws {
        #expect(try TOMLDocument(parsing: "n = \(text)")["n"] == .integer(value))
    }

    @Test(arguments: [
        "_123", "123_", "1__23", "01", "00", "0_0", "-01", "+01", "++99", "--99", "-0xff", "+0b1", "0x_1", "0x1_",
        "0xaafz", "0o778", "0b0012", "0X1", "0O0", "0B0", "0c", "9223372036854775808", "-9223372036854775809",
        "0x8000000000000000", "0x1p4", "1e", "1.", ".5", "+.5", "3.e+20", "1_e2", "1.2_e2", "1e_2", "1e400", "-1e400",
        "1.0.0", "1x", "inf1", "Infinity", "NaN", "+-1",
    ])
    func numbersOutsideTheGrammar_areRejected(_ text: String) {
        let error = rejection("n = \(text)")
        #expect(error?.line == 1, "\(text) was accepted")
    }

    /// toml.io/en/v1.0.0#float, every example.
    @Test(arguments: [
        ("+1.0", 1.0), ("3.1415", 3.1415), ("-0.01", -0.01), ("5e+22", 5e22), ("1e06", 1e6), ("-2E-2", -0.02),
        ("6.626e-34", 6.626e-34), ("224_617.445_991_228", 224_617.445_991_228), ("-0.0", -0.0), ("+0.0", 0.0),
        ("inf", .infinity), ("+inf", .infinity), ("-inf", -.infinity), ("3e2", 300), ("1.5E+2", 150),
    ])
    func floats_readAsTheSpecSays(_ text: String, _ value: Double) throws {
        #expect(try TOMLDocument(parsing: "f = \(text)")["f"] == .double(value))
    }

    @Test func nan_isAFloat() throws {
        for text in ["nan", "+nan", "-nan"] {
            guard case .double(let value) = try TOMLDocument(parsing: "f = \(text)")["f"] else {
                Issue.record("\(text) is not a float")
                continue
            }
            #expect(value.isNaN)
        }
    }

    @Test func multiLineArrays_commentsAndTrailingComma() throws {
        let document = try TOMLDocument(
            parsing: "seed_peers = [\n  \"a:1\", # first\n  'b:2',\n]\nchain_id = \"x#y\\\"z\"\ntick_seconds = 0.5\n")
        #expect(document["seed_peers"] == .strings(["a:1", "b:2"]))
        #expect(document["chain_id"] == .string("x#y\"z"))
        #expect(document["tick_seconds"] == .double(0.5))
    }

    /// Valid TOML that meshnode's config does not use is refused with its line and the
    /// reason, never read as something else.
    @Test(arguments: [
        ("a = 1\n[server]", 2, "tables"), ("a.b = 1", 1, "dotted keys"), ("\"a\" = 1", 1, "quoted keys"),
        ("a = \"\"\"x\"\"\"", 1, "multi-line strings"), ("a = '''x'''", 1, "multi-line strings"),
        ("a = {x = 1}", 1, "inline tables"), ("a = 1979-05-27T07:32:00Z", 1, "dates and times"),
        ("a = 07:32:00", 1, "dates and times"), ("seeds = [1, 2]", 1, "only strings"),
        ("seeds = [[\"a\"]]", 1, "only strings"), ("[[peers]]", 1, "tables"),
    ])
    func outsideTheSubset_isRefusedWithLineAndReason(_ text: String, _ line: Int, _ fragment: String) {
        let error = rejection(text)
        #expect(error?.line == line && error?.message.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("lan = yes", 1, "not a value"), ("\n\nchain_id = \"open", 3, "unterminated string"),
        ("x = 1\nx = 2", 2, "set twice"), ("just words", 1, "expected '=' after the key 'just'"),
        ("a = [\"x\"", 1, "never closed"), ("a = [\"x\",\n\"y\"\nb = 1", 3, "expected ',' or ']'"),
        ("a = 1 b = 2", 1, "unexpected text after the value"), ("\nkey = # INVALID", 2, "missing value"),
        ("key =", 1, "missing value"), ("= 1", 1, "expected 'key = value'"), ("a = [,]", 1, "before ','"),
        ("a = \"x\" \"y\"", 1, "unexpected text"),
    ])
    func errors_nameTheLine(_ text: String, _ line: Int, _ fragment: String) {
        let error = rejection(text)
        #expect(error?.line == line && error?.message.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func unreadableValue_carriesItsKey() {
        let error = rejection("chain_id = \"x\"\nlan = yes")
        #expect(error?.key == "lan" && error?.unreadableValue == "yes" && error?.line == 2)
    }
}
