import Testing

@testable import Diagnostics

@Suite struct JSONValueTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

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

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "01x", "{\"a\":1} x", "\"\u{01}\"", "[+1]", "\"\\x\"",
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ])
    func invalidText_isNamed(_ text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }
}
