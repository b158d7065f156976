import Foundation
import Testing

@testable import Wire

/// `Posix.directoryEntries` reads names through readdir's own buffer, where an entry is only
/// as long as its name needs: names of every length come back whole, and (under
/// AddressSanitizer, which CI runs) nothing is read past an entry.
@Suite struct DirectoryEntriesTests {
    @Test func listsEveryName_shortAndLongest_withoutDotEntries() throws {
        let directory = NSTemporaryDirectory() + "meshnode-dirent-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 255 bytes is NAME_MAX: the longest entry readdir can return.
        let names = ["a", "bc", String(repeating: "x", count: 17), String(repeating: "y", count: 255)]
        for name in names { #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: nil)) }
        #expect(Posix.directoryEntries(directory).map(Set.init) == Set(names))
        #expect(Posix.directoryEntries(directory + "/missing") == nil)
    }
}
