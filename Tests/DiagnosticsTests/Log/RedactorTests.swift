import Foundation
import Testing

@testable import Diagnostics
@testable import Wire

/// Redacted logs stay correlatable (INTERFACE.md, Logs): one peer, one tag, whatever its port;
/// different peers in one /16 are told apart; the tag depends on a secret per data dir.
@Suite struct RedactorTests {
    static let key = RedactionKey(k0: 0x0123_4567_89AB_CDEF, k1: 0xFEDC_BA98_7654_3210)

    @Test func sipHash_matchesThePapersTestVector() {
        // SipHash-2-4, key 00..0f, message 00..0e: 0xa129ca6149be45e5 (Aumasson–Bernstein, appendix A).
        let hash = SipHash.hash(Array(0..<15), k0: 0x0706_0504_0302_0100, k1: 0x0F0E_0D0C_0B0A_0908)
        #expect(hash == 0xA129_CA61_49BE_45E5)
    }

    @Test func onePeer_getsOneTag_whateverThePortOrFamily() throws {
        let redactor = Redactor(enabled: true, key: Self.key)
        let a = redactor.redact("127.0.0.2:7071")
        let b = redactor.redact("127.0.0.2:54321")
        let bare = redactor.redact("127.0.0.2")
        let mapped = redactor.redact(try #require(IPAddress(parsing: "::ffff:127.0.0.2")), port: 7071)
        func tag(_ text: String) -> Substring? { text.split(separator: "#").last?.prefix(6) }
        #expect(a.hasPrefix("127.0.***:***#") && a.hasSuffix(":7071"), "\(a)")
        #expect(!a.contains("0.2:") && !a.contains(".2#"))
        #expect(tag(a) == tag(b) && tag(a) == tag(bare) && a == mapped, "\(a) \(b) \(bare) \(mapped)")
    }

    @Test func peersInOneSlash16_areToldApart() {
        let redactor = Redactor(enabled: true, key: Self.key)
        let tags = Set((1...64).map { redactor.redact("127.0.0.\($0):7071") })
        #expect(tags.count == 64)
    }

    @Test func anotherKey_givesAnotherTag_andNoKeyGivesNone() {
        let address = "75.128.3.9:7071"
        let mine = Redactor(enabled: true, key: Self.key).redact(address)
        let theirs = Redactor(enabled: true, key: RedactionKey(k0: 1, k1: 2)).redact(address)
        #expect(mine != theirs)
        #expect(Redactor(enabled: true).redact(address) == "75.128.***:***:7071")
        #expect(Redactor(enabled: false, key: Self.key).redact(address) == address)
        let v6 = Redactor(enabled: true, key: Self.key).redact("[2001:db8::1]:7071")
        #expect(v6.hasPrefix("[2001:db8:***:***#") && v6.hasSuffix("]:7071"), "\(v6)")
    }

    @Test func keyFile_isCreatedOnceOwnerOnly_andReadBack() throws {
        let directory = NSTemporaryDirectory() + "meshnode-key-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try RedactionKey.loadOrCreate(dataDirectory: directory)
        let second = try RedactionKey.loadOrCreate(dataDirectory: directory)
        #expect(first == second)
        let path = directory + "/.redact-key"
        #expect(Posix.fileMode(path) == 0o600)
        let other = directory + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        #expect(first != (try RedactionKey.loadOrCreate(dataDirectory: other)))
    }

    @Test func malformedKeyFile_isRefusedWithItsPath_notOverwritten() throws {
        let directory = NSTemporaryDirectory() + "meshnode-key-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/.redact-key"
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try RedactionKey.loadOrCreate(dataDirectory: directory)
        } throws: { error in
            (error as? RedactionKey.Failure)?.description.contains(path) == true
        }
        #expect(FileManager.default.contents(atPath: path) == Data("not a key".utf8))
        #expect(RedactionKey(hex: Array("0123456789abcdef0123456789ABCDEF\n".utf8)) != nil)
        #expect(RedactionKey(hex: Array("0123456789abcdef0123456789abcdeg".utf8)) == nil)
    }
}
