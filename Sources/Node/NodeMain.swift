import Diagnostics
import Wire

/// `meshnode`: see `meshnode --help` and docs/operations.md.
@main
enum NodeMain {
    static func main() async {
        let command: Command
        do {
            command = try Command.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            Posix.writeLine(Posix.standardError, "meshnode: \(error)")
            Posix.exitImmediately(2)
        }
        switch command {
        case .help:
            Posix.writeLine(Posix.standardOutput, Command.usage)
        case .version:
            Posix.writeLine(Posix.standardOutput, "meshnode \(Command.versionString)")
        case .run(let options):
            let status = await ListenOnlyNode(options: options).run()
            Posix.exitImmediately(status)
        }
    }
}
