import CFuzzShim
import FuzzTargets
import Wire

/// `Fuzz TARGET [libFuzzer options] [CORPUS…]`. Built with `scripts/fuzz.sh` (libFuzzer and
/// AddressSanitizer linked in) it fuzzes; built normally it replays the files it is given.
@main
enum FuzzMain {
    nonisolated(unsafe) static var target = FuzzTarget.json  // set once before the driver starts

    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let chosen = FuzzTarget(rawValue: arguments[1]) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            Posix.writeLine(Posix.standardError, "usage: Fuzz \(names) [libFuzzer options] [corpus…]")
            Posix.exitImmediately(2)
        }
        target = chosen
        if cfuzz_available() != 0 {
            // libFuzzer reads argv itself: drop the target name.
            var argc = CommandLine.argc - 1
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv + 1
            argv![0] = CommandLine.unsafeArgv[0]
            _ = cfuzz_run_driver(&argc, &argv) { data, size in
                let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
                FuzzMain.target.run(bytes)
                return 0
            }
            return
        }
        var replayed = 0
        for path in arguments.dropFirst(2) where !path.hasPrefix("-") {
            guard let bytes = try? Posix.readFile(path) else { continue }
            chosen.run(bytes)
            replayed += 1
        }
        Posix.writeLine(Posix.standardError, "replayed \(replayed) inputs (no libFuzzer in this build)")
    }
}
