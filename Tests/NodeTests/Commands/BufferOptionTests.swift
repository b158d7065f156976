import Testing

@testable import Actors
@testable import Node
@testable import Wire

/// `--max-receive-buffer` and `--max-send-buffer` (INTERFACE.md): bitcoind's defaults, settable
/// by flag, environment and config file, and range-checked like every size from outside.
@Suite struct BufferOptionTests {
    func options(_ arguments: [String], environment: [String: String] = [:]) throws -> RunOptions? {
        guard
            case .run(let options) = try Command.parse(
                arguments, environment: { environment[$0] }, fileExists: { _ in false })
        else { return nil }
        return options
    }

    @Test func defaults_areFiveMiBToReceiveAndOneMiBToSend() throws {
        let node = try #require(try options([])).node
        #expect(node.maximumReceiveBuffer == 5 << 20)
        #expect(node.maximumSendBuffer == 1 << 20)
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let environment = ["MESHNODE_MAX_RECEIVE_BUFFER": "100000", "MESHNODE_MAX_SEND_BUFFER": "200000"]
        let fromEnvironment = try #require(try options([], environment: environment)).node
        #expect(fromEnvironment.maximumReceiveBuffer == 100_000 && fromEnvironment.maximumSendBuffer == 200_000)
        let flagged = try #require(
            try options(["--max-receive-buffer", "300000"], environment: environment)
        ).node
        #expect(flagged.maximumReceiveBuffer == 300_000)
    }

    @Test(arguments: [
        ["--max-receive-buffer", "0"], ["--max-receive-buffer", "-1"], ["--max-send-buffer", "1e9"],
        ["--max-send-buffer", "99999999999999999999"], ["--max-receive-buffer", "2147483648"],
    ])
    func outOfRange_isRefusedNamingTheRange(_ arguments: [String]) {
        #expect(throws: Command.UsageError.self) { try options(arguments) }
        do {
            _ = try options(arguments)
        } catch {
            #expect("\(error)".contains(arguments[0]) && "\(error)".contains("16384"))
        }
    }

    @Test func theSendBudget_setsTheSocketsWatermarks_andTheSlowPeerLimit() {
        var configuration = NodeConfiguration()
        configuration.maximumSendBuffer = 8 << 20
        let options = configuration.connectionOptions
        #expect(options.highWatermark == 8 << 20 && options.lowWatermark == 4 << 20)
        #expect(options.maximumBufferedBytes == 32 << 20)
        configuration.maximumSendBuffer = 1 << 20  // 4x is under the floor: the floor holds
        #expect(configuration.connectionOptions.maximumBufferedBytes == NodeConfiguration.minimumSendDropBytes)
    }
}
