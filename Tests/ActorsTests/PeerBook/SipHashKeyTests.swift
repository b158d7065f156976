import Testing

@testable import Actors
@testable import Wire

/// SipHash-2-4 against the reference vectors of Aumasson and Bernstein's paper and code
/// (key 00 01 … 0f, message 00 01 … of each length), and network groups as attackers pay for them.
@Suite struct SipHashKeyTests {
    static let referenceKey = SipHashKey(k0: 0x0706_0504_0302_0100, k1: 0x0F0E_0D0C_0B0A_0908)

    @Test func referenceVectors() {
        let message = (0..<64).map { UInt8($0) }
        #expect(Self.referenceKey.hash(message.prefix(0)) == 0x726F_DB47_DD0E_0E31)
        #expect(Self.referenceKey.hash(message.prefix(1)) == 0x74F8_39C5_93DC_67FD)
        #expect(Self.referenceKey.hash(message.prefix(8)) == 0x93F5_F579_9A93_2462)
        #expect(Self.referenceKey.hash(message.prefix(15)) == 0xA129_CA61_49BE_45E5)
        #expect(Self.referenceKey.hash(message.prefix(63)) == 0x958A_324C_EB06_4572)
    }

    @Test func wordsHashAsTheirLittleEndianBytes() {
        let bytes: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01]
        #expect(Self.referenceKey.hash(words: 1, 0x0123_4567_89AB_CDEF) == Self.referenceKey.hash(bytes))
    }

    @Test func aDifferentKey_givesADifferentHash() {
        let other = SipHashKey(k0: 1, k1: 2)
        #expect(other.hash(words: 42) != Self.referenceKey.hash(words: 42))
    }

    @Test func networkGroups_areSlash16AndSlash32_andFamiliesNeverCollide() {
        let group = { (text: String) in NetworkGroup(IPAddress(parsing: text)!) }
        #expect(group("11.1.0.1") == group("11.1.255.254"))
        #expect(group("11.1.0.1") != group("11.2.0.1"))
        #expect(group("::ffff:11.1.9.9") == group("11.1.0.1"))
        #expect(group("2001:db8:1::1") == group("2001:db8:ffff::2"))
        #expect(group("2001:db8::1") != group("2001:db9::1"))
        #expect(group("0.0.0.1") != group("::1"))
        #expect(group("11.1.0.1").description == "11.1.0.0/16")
        #expect(group("2001:db8::1").description == "2001:db8::/32")
    }
}
