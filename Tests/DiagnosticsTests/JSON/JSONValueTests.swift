import Testing

@testable import Diagnostics

@Suite struct JSONValueTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    func failure(_ text: String) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func renderedValues_parseBack() throws {
        let value = JSONValue.object([
            ("s", .string("a \"quoted\" \\ line\nwith é and \u{01}")), ("i", .int(-42)), ("d", .double(0.25)),
            ("b", .bool(true)), ("n", .null), ("a", .array([.int(1), .array([]), .object([])])),
        ])
        for pretty in [false, true] {
            #expect(try JSONValue.parse(Array(value.render(pretty: pretty).utf8)) == value)
        }
    }

    @Test func escapesAndNumbers() throws {
        #expect(try parse("\"\\u00e9\\ud83d\\ude00\\/\"").stringValue == "é😀/")
        #expect(try parse("1e3").doubleValue == 1000)
        #expect(try parse(" [ 1 , 2 ] ").arrayValue?.count == 2)
        #expect(try parse("{\"a\":{\"b\":[true]}}")["a"]?["b"]?.arrayValue?.first?.boolValue == true)
    }

    /// RFC 8259 section 6: number = [ minus ] int [ frac ] [ exp ].
    @Test(arguments: [
        ("0", 0.0), ("-0", 0.0), ("12", 12), ("-12", -12), ("0.5", 0.5), ("-0.5", -0.5), ("1e2", 100), ("1E2", 100),
        ("1e+2", 100), ("1e-2", 0.01), ("0e0", 0), ("10.25e1", 102.5), ("4503599627370496", 4_503_599_627_370_496),
        ("18446744073709551616", 18_446_744_073_709_551_616),
    ])
    func numbers_inTheGrammar_areRead(_ text: String, _ value: Double) throws {
        #expect(try parse(text).doubleValue == value)
    }

    @Test func integers_keepEvery64BitValue() throws {
        #expect(try parse("9223372036854775807").intValue == Int.max)
        #expect(try parse("-9223372036854775808") == .int(Int.min))
    }

    /// The forms the issue found accepted, and their neighbours: each breaks the grammar.
    @Test(arguments: [
        "[-01]", "[012]", "[1.]", "[2.e3]", "[-.123]", "[.123]", "[-]", "[+1]", "[1e]", "[1e+]", "[0x1]", "[1.5e+-1]",
        "[00]", "[-00.0]", "[Infinity]", "[-Infinity]", "[NaN]", "[1_000]", "[0x1p4]", "[1.0.0]", "[- 1]", "[1e400]",
        "[-1e400]", "[1 2]", "[\u{FF11}]",
    ])
    func numbers_outsideTheGrammar_areRejected(_ text: String) {
        #expect(failure(text) != nil, "\(text) accepted")
    }

    /// RFC 8259 says names SHOULD be unique and leaves duplicates' meaning to each parser (jq
    /// and Python keep the last, others the first); meshnode refuses them.
    @Test func duplicateKey_isATypedError() {
        let error = failure("{\"peer_addr\":\"10.0.0.1:7071\",\"peer_addr\":\"10.0.0.2:7071\"}")
        #expect(error?.kind == .duplicateKey("peer_addr"))
        #expect(error?.message == "duplicate key \"peer_addr\"")
        #expect(error?.offset == 29)  // the second name's opening quote
        #expect(failure("{\"a\":{\"b\":1,\"b\":2}}")?.kind == .duplicateKey("b"))
        #expect(failure("[{\"a\":1},{\"a\":2}]") == nil)
    }

    /// Names are compared by code points: "é" and "e" + U+0301 are two names (Swift's String
    /// equality would call them equal).
    @Test func keysDifferingOnlyInNormalization_areDistinct() throws {
        let value = try parse("{\"\\u00e9\":1,\"e\\u0301\":2}")
        #expect(value.objectValue?.count == 2)
        #expect(failure("{\"\\u00e9\":1,\"\u{e9}\":2}")?.kind == .duplicateKey("é"))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "01x", "{\"a\":1} x", "\"\u{01}\"", "[+1]", "\"\\x\"",
        "\"\\u+123\"", "\"\\u-123\"", "\"\\u12G4\"", "\u{FEFF}{}", "[\u{0C}]", "[\u{A0}1]", "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
    ])
    func invalidText_isNamed(_ text: String) {
        #expect(failure(text)?.kind == .syntax, "\(text)")
    }

    @Test func nesting_pastTheBudget_isTooDeep() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(failure(deep)?.kind == .tooDeep)
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(failure(fine) == nil)
    }
}
