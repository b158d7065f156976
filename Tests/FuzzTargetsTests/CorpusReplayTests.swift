import Foundation
import Testing

@testable import FuzzTargets

/// Every committed fuzz corpus input runs through its target on each `swift test`: a crash
/// found by fuzzing, once its input is added to Fuzz/Corpus/<target>/, stays fixed.
@Suite struct CorpusReplayTests {
    static let corpus: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus")

    @Test(arguments: FuzzTarget.allCases)
    func everyCorpusInput_runsThroughItsTarget(_ target: FuzzTarget) throws {
        let directory = Self.corpus.appendingPathComponent(target.rawValue)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!files.isEmpty, "no seed corpus for \(target.rawValue)")
        for file in files {
            target.run(Array(try Data(contentsOf: directory.appendingPathComponent(file))))
        }
    }
}
