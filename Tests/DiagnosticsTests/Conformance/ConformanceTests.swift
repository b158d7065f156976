import Foundation
import Testing

@testable import Diagnostics

/// The published conformance suites (README.md beside this file says which files are
/// upstream copies and which were written here), run from the source tree.
@Suite struct ConformanceTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// Files under `subdirectory` ending in `suffix`, as (relative path, bytes), sorted.
    static func cases(_ subdirectory: String, suffix: String) -> [(name: String, bytes: [UInt8])] {
        let base = directory.appendingPathComponent(subdirectory).path
        let names = (FileManager.default.enumerator(atPath: base)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(suffix) }.sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: base + "/" + name).map { (name, Array($0)) }
        }
    }

    // MARK: JSONTestSuite

    static let json = cases("JSONTestSuite/test_parsing", suffix: ".json")

    /// RFC 8259 allows repeated names; meshnode refuses them on purpose (README.md).
    static let refusedDuplicates: Set<String> = [
        "y_object_duplicated_key.json", "y_object_duplicated_key_and_value.json",
    ]

    @Test func jsonSuite_isPresent() {
        #expect(Self.json.filter { $0.name.hasPrefix("y_") }.count >= 90)
        #expect(Self.json.filter { $0.name.hasPrefix("n_") }.count >= 180)
    }

    @Test func jsonSuite_everyYIsAccepted_andRendersBackToItself() {
        for (name, bytes) in Self.json where name.hasPrefix("y_") && !Self.refusedDuplicates.contains(name) {
            do {
                let value = try JSONValue.parse(bytes)
                #expect(try JSONValue.parse(Array(value.render().utf8)) == value, "\(name)")
            } catch {
                Issue.record("\(name) rejected: \(error)")
            }
        }
    }

    @Test func jsonSuite_duplicateKeys_areRefusedAsDuplicates() throws {
        for name in Self.refusedDuplicates {
            let bytes = try #require(Self.json.first { $0.name == name }?.bytes)
            #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes) }
            do {
                _ = try JSONValue.parse(bytes)
            } catch {
                #expect(error.kind == .duplicateKey("a"), "\(name)")
            }
        }
    }

    @Test func jsonSuite_everyNIsRejected() {
        for (name, bytes) in Self.json where name.hasPrefix("n_") {
            let value = try? JSONValue.parse(bytes)
            #expect(value == nil, "\(name) accepted as \(value?.render() ?? "")")
        }
    }

    /// Implementation-defined cases, answered as meshnode chooses: text must be UTF-8 of
    /// Unicode scalar values (no lone surrogates, no BOM, no UTF-16), nesting stays within
    /// the budget, an integer past 64 bits is read as a double, a number past binary64's
    /// range is refused and one below it reads as zero.
    @Test func jsonSuite_implementationDefinedCases_areAnsweredAsDocumented() {
        let accepted: Set<String> = [
            "i_number_double_huge_neg_exp.json", "i_number_real_underflow.json", "i_number_too_big_neg_int.json",
            "i_number_too_big_pos_int.json", "i_number_very_big_negative_int.json",
        ]
        let cases = Self.json.filter { $0.name.hasPrefix("i_") }
        #expect(cases.count >= 30)
        for (name, bytes) in cases {
            let value = try? JSONValue.parse(bytes)
            #expect((value != nil) == accepted.contains(name), "\(name) → \(value?.render() ?? "rejected")")
        }
    }

    // MARK: toml-test

    @Test func tomlSuite_validCasesInsideTheSubset_parseToTheExpectedValues() throws {
        let cases = Self.cases("toml-test/valid", suffix: ".toml")
        #expect(cases.count >= 20)
        for (name, bytes) in cases {
            let expectedPath =
                Self.directory.appendingPathComponent("toml-test/valid").path + "/"
                + name.dropLast(".toml".count) + ".json"
            let expectedBytes = try #require(FileManager.default.contents(atPath: expectedPath), "\(name)")
            let expected = try #require(try JSONValue.parse(Array(expectedBytes)).objectValue, "\(name)")
            let document: TOMLDocument
            do {
                document = try TOMLDocument(parsing: bytes)
            } catch {
                Issue.record("\(name) rejected: \(error)")
                continue
            }
            #expect(Set(document.entries.map(\.key)) == Set(expected.map(\.0)), "\(name)")
            for (key, tagged) in expected {
                #expect(
                    Self.matches(document[key], tagged), "\(name): \(key) read as \(String(describing: document[key]))")
            }
        }
    }

    @Test func tomlSuite_validTOMLOutsideTheSubset_isRejectedNotMisread() {
        let cases = Self.cases("toml-test/valid-outside-subset", suffix: ".toml")
        #expect(cases.count >= 10)
        for (name, bytes) in cases {
            #expect(throws: TOMLDocument.ParseError.self, "\(name)") { try TOMLDocument(parsing: bytes) }
        }
    }

    @Test func tomlSuite_everyInvalidCaseIsRejected() {
        let files = Self.cases("toml-test/invalid", suffix: ".toml")
        #expect(files.count >= 40)
        for (name, bytes) in files {
            #expect(throws: TOMLDocument.ParseError.self, "\(name)") { try TOMLDocument(parsing: bytes) }
        }
        // A .multi file is one case per non-empty line.
        for (name, bytes) in Self.cases("toml-test/invalid", suffix: ".multi") {
            for line in bytes.split(separator: 0x0A) {
                #expect(throws: TOMLDocument.ParseError.self, "\(name): \(String(decoding: line, as: UTF8.self))") {
                    try TOMLDocument(parsing: Array(line))
                }
            }
        }
    }

    /// toml-test's tagged JSON: `{"type": "integer", "value": "42"}`, arrays as JSON arrays.
    static func matches(_ value: TOMLDocument.Value?, _ tagged: JSONValue) -> Bool {
        if let items = tagged.arrayValue {
            guard case .strings(let strings) = value, strings.count == items.count else { return false }
            return zip(strings, items).allSatisfy { matches(.string($0), $1) }
        }
        guard let type = tagged["type"]?.stringValue, let text = tagged["value"]?.stringValue else { return false }
        switch (type, value) {
        case ("string", .string(let string)): return string == text
        case ("integer", .integer(let integer)): return Int(text) == integer
        case ("bool", .boolean(let flag)): return String(flag) == text
        case ("float", .double(let number)):
            if text == "nan" { return number.isNaN }
            if text.hasSuffix("inf") { return number == (text.hasPrefix("-") ? -Double.infinity : .infinity) }
            return Double(text) == number
        default: return false
        }
    }
}
