import MeshNodeKit
import TestSupport
import Testing
import ToyChainCore

/// The example application end to end over real sockets on 127.0.150.x: a chain that syncs.
@Suite(.serialized) struct ToyChainSyncTests {
    static func address(_ host: Int) -> SocketAddress {
        SocketAddress(ip: .v4(0x7F00_9600 | UInt32(host)), port: 7071)
    }

    static func configuration(_ host: Int, peers: [Int]) -> Node.Configuration {
        var configuration = Node.Configuration(listen: address(host))
        configuration.peers = peers.map(address)
        configuration.allowPrivateAddresses = true
        configuration.maintenanceInterval = .milliseconds(200)
        configuration.redialDelay = .milliseconds(300)
        configuration.dialTimeout = .seconds(2)
        configuration.handshakeTimeout = .seconds(2)
        return configuration
    }

    /// A chain node running in its own task.
    struct Running: Sendable {
        let chain: ToyChain
        let task: Task<Void, Never>

        init(_ host: Int, peers: [Int], genesis: String = "toy") throws {
            let chain = try ToyChain(
                configuration: ToyChainSyncTests.configuration(host, peers: peers), genesisName: genesis)
            self.chain = chain
            task = Task { await chain.run() }
        }

        func stop() async {
            await chain.shutdown()
            await task.value
        }
    }

    static func eventually(timeout: Duration, _ condition: @Sendable () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    /// One miner; four nodes joining late (one only through another joiner), one of them
    /// restarting with an empty chain: all reach the miner's height and tip within 20 s
    /// (on an idle machine: well under a second). The bound: ~130 blocks, 64 per request.
    @Test func fiveNodes_oneMining_lateJoinersAndARestart_allReachTheSameTip() async throws {
        try await ExclusiveIO.shared.run {
            let miner = try Running(1, peers: [])
            var others: [Int: Running] = [:]
            do {
                for _ in 0..<70 { await miner.chain.mine() }  // more than one request's worth
                others[2] = try Running(2, peers: [1])
                others[3] = try Running(3, peers: [1])
                // 70 blocks are two requests: the second is asked for without a new announce.
                let (second, third) = (others[2]!.chain, others[3]!.chain)
                #expect(await Self.eventually(timeout: .seconds(20)) { await second.height == 70 })
                #expect(await Self.eventually(timeout: .seconds(20)) { await third.height == 70 })
                for _ in 0..<20 { await miner.chain.mine() }
                others[4] = try Running(4, peers: [3])  // hears of blocks only through node 3
                let fourth = others[4]!.chain
                #expect(await Self.eventually(timeout: .seconds(20)) { await fourth.height == 90 })
                await others[3]!.stop()  // restarts with an empty chain
                for _ in 0..<20 { await miner.chain.mine() }
                others[3] = try Running(3, peers: [1])
                others[5] = try Running(5, peers: [2, 4])
                for _ in 0..<20 { await miner.chain.mine() }
                let target = await miner.chain.tip
                #expect(target.height == 130)
                for host in 2...5 {
                    let chain = others[host]!.chain
                    let reached = await Self.eventually(timeout: .seconds(20)) { await chain.tip == target }
                    let height = await chain.height
                    #expect(reached, "node \(host) stopped at \(height)")
                }
            } catch {
                Issue.record("\(error)")
            }
            for running in others.values { await running.stop() }
            await miner.stop()
        }
    }

    /// A node whose chain has another genesis block is refused by the application's handshake
    /// check (`application_refused`), and never gets a block.
    @Test func aNodeOnAnotherGenesis_isRefused() async throws {
        try await ExclusiveIO.shared.run {
            let miner = try Running(11, peers: [])
            let stranger = try Running(12, peers: [], genesis: "another")
            for _ in 0..<5 { await miner.chain.mine() }
            let outcome = await stranger.chain.node.connect(Self.address(11))
            #expect(outcome == ReasonCode(rawValue: "application_refused"))
            #expect(await miner.chain.node.peers().isEmpty)
            #expect(await stranger.chain.height == 0)
            await stranger.stop()
            await miner.stop()
        }
    }
}
