import Diagnostics
import Wire

/// What the command line asked for.
enum Command: Equatable {
    case run(RunOptions)
    case help
    case version

    static let versionString = "0.1.0"

    static let usage = """
        usage: meshnode [run] [options]
               meshnode --help | --version

        options of run:
          --listen HOST:PORT         P2P listen address (default 0.0.0.0:7071)
          --log-level LEVEL          trace|debug|info|warning|error (default info)
          --log-format FORMAT        json|text (default: text on a terminal, else json)

        This build listens and logs; the peer actors arrive with the Peers issue.
        """

    /// A usage error, printed as one line.
    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> Command {
        var arguments = arguments[...]
        if arguments.first == "run" { arguments = arguments.dropFirst() }
        var options = RunOptions()
        while let flag = arguments.popFirst() {
            switch flag {
            case "-h", "--help": return .help
            case "-V", "--version": return .version
            case "--listen":
                let text = try value(of: flag, &arguments)
                do {
                    options.listen = try SocketAddress(parsing: text)
                } catch {
                    throw UsageError(description: "--listen: \(error)")
                }
            case "--log-level":
                let text = try value(of: flag, &arguments)
                guard let level = LogLevel(name: text) else {
                    throw UsageError(description: "--log-level: '\(text)' is not trace|debug|info|warning|error")
                }
                options.logLevel = level
            case "--log-format":
                let text = try value(of: flag, &arguments)
                guard let format = Logger.Format(rawValue: text) else {
                    throw UsageError(description: "--log-format: '\(text)' is not json|text")
                }
                options.logFormat = format
            default:
                throw UsageError(description: "unknown option '\(flag)' (see meshnode --help)")
            }
        }
        return .run(options)
    }

    private static func value(of flag: String, _ arguments: inout ArraySlice<String>) throws(UsageError) -> String {
        guard let value = arguments.popFirst(), !value.hasPrefix("--") else {
            throw UsageError(description: "\(flag) needs a value")
        }
        return value
    }
}

/// Options of `meshnode run`.
struct RunOptions: Equatable {
    var listen = SocketAddress(ip: .v4(0), port: 7071)
    var logLevel = LogLevel.info
    var logFormat: Logger.Format?
}
