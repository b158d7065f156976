import Foundation  // exit(2) on a bad option; the library itself needs no Foundation
import MeshNodeKit
import ToyChainCore

/// `toychain --listen HOST:PORT [--peer HOST:PORT]... [--genesis NAME] [--mine SECONDS] [--log]`
///
/// A toy chain over meshnode: one process per node; `--mine` makes a block every SECONDS.
/// Prints a line per new height and per peer that comes or goes; `--log` adds the node's own
/// log lines on standard error (a refused handshake shows there, with its reason). Runs until interrupted, or until `--exit-at-height N`.
/// A bad option prints the usage and exits 2; a node that cannot start exits 1.
@main
struct ToyChainMain {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var listen: SocketAddress?
        var peers: [SocketAddress] = []
        var genesisName = "toy"
        var mineEvery: Double?
        var exitAtHeight: UInt64?
        var logs = false
        func fail(_ message: String) -> Never {
            print("toychain: \(message)")
            print("usage: toychain --listen HOST:PORT [--peer HOST:PORT]... [--genesis NAME] [--mine SECONDS]")
            print("                [--exit-at-height N] [--log]")
            exit(2)
        }
        while !arguments.isEmpty {
            let flag = arguments.removeFirst()
            if flag == "--log" {
                logs = true
                continue
            }
            guard !arguments.isEmpty else { fail("\(flag) needs a value") }
            let value = arguments.removeFirst()
            switch flag {
            case "--listen", "--peer":
                guard let address = try? SocketAddress(parsing: value) else {
                    fail("\(flag): not HOST:PORT: \(value)")
                }
                if flag == "--listen" { listen = address } else { peers.append(address) }
            case "--genesis": genesisName = value
            case "--mine":
                guard let seconds = Double(value), seconds > 0, seconds < 86_400 else {
                    fail("--mine: 0 < SECONDS < 86400")
                }
                mineEvery = seconds
            case "--exit-at-height":
                guard let height = UInt64(value) else { fail("--exit-at-height: a number") }
                exitAtHeight = height
            default: fail("unknown option \(flag)")
            }
        }
        guard let listen else { fail("--listen is required") }
        var configuration = Node.Configuration(listen: listen)
        configuration.peers = peers
        configuration.allowPrivateAddresses = true
        configuration.maintenanceInterval = .seconds(2)
        configuration.redialDelay = .seconds(2)
        configuration.logsToStandardError = logs
        let reached = AsyncStream<UInt64>.makeStream()
        let chain: ToyChain
        do {
            chain = try ToyChain(configuration: configuration, genesisName: genesisName) { height, tip in
                print("height \(height) tip \(tip.prefix(16))")
                reached.continuation.yield(height)
            }
        } catch {
            print("toychain: \(error)")
            exit(1)
        }
        print("toychain listening on \(chain.node.listenAddress), genesis '\(genesisName)'")
        await withDiscardingTaskGroup { group in
            let events = chain.node.events()
            group.addTask { await chain.run() }
            group.addTask {
                for await event in events {
                    switch event {
                    case .connected(let peer): print("peer \(peer.listenAddress) connected (\(peer.direction))")
                    case .disconnected(let end): print("peer \(end.ip) gone: \(end.reason) (\(end.endedBy))")
                    case .banned(let ip, _, let reason): print("peer \(ip) banned: \(reason)")
                    case .unbanned, .dropped: break
                    }
                }
            }
            if let mineEvery {
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(mineEvery))
                        await chain.mine()
                    }
                }
            }
            if let exitAtHeight {
                for await height in reached.stream where height >= exitAtHeight { break }
                await chain.shutdown()
                group.cancelAll()
            }
        }
    }
}
