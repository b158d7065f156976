import MeshNodeKit

/// A node of the toy chain: it keeps the chain, mines when asked, announces new blocks on
/// channel 1, tells its height in its handshake, refuses peers of another genesis, and asks
/// a peer that knows a longer chain for the missing blocks, at most 64 per request.
public actor ToyChain {
    public nonisolated let node: Node
    public nonisolated let genesis: Block
    public private(set) var blocks: [Block]
    /// The best height each peer has told us (handshake or announce).
    private var peerHeights: [PeerIP: UInt64] = [:]
    /// Peers we asked for blocks and have not answered yet: one request in flight each.
    private var asked: Set<PeerIP> = []
    private let onHeight: @Sendable (UInt64, String) -> Void

    /// A chain called `genesisName` on a node configured by `configuration`; `onHeight` is told
    /// every new height (with the tip's hash).
    public init(
        configuration: Node.Configuration, genesisName: String,
        onHeight: @escaping @Sendable (UInt64, String) -> Void = { _, _ in }
    ) throws(Node.StartError) {
        var configuration = configuration
        configuration.chainID = "toychain"
        configuration.userAgent = "toychain/1.0"
        let genesis = Block.genesis(genesisName)
        configuration.handshakeData = ToyWire.encode(
            ToyWire.Status(genesis: genesis.hash, height: 0, tip: genesis.hash))
        self.node = try Node(configuration: configuration)
        self.genesis = genesis
        self.blocks = [genesis]
        self.onHeight = onHeight
        let ours = genesis.hash
        node.setHandshakeValidator { peer in
            guard let status = ToyWire.decodeStatus(peer.application) else { return "no toychain status" }
            return status.genesis == ours ? nil : "another genesis"
        }
    }

    public var height: UInt64 { UInt64(blocks.count - 1) }
    public var tip: Block { blocks[blocks.count - 1] }

    /// Runs the node and the chain's message loops until the node is shut down.
    public func run() async {
        let events = node.events()
        let messages = node.subscribe(channel: ToyWire.channel)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.node.run() }
            group.addTask {
                for await event in events { await self.handle(event) }
            }
            group.addTask {
                for await (peer, bytes) in messages { await self.handle(ToyWire.decode(bytes), from: peer) }
            }
        }
    }

    /// Stops the node; ``run()`` returns.
    public func shutdown() async {
        await node.shutdown()
    }

    /// Mines one block on our tip and announces it.
    @discardableResult
    public func mine() async -> Block {
        let block = Block(height: height + 1, previous: tip.hash, counter: UInt64.random(in: 0...UInt64.max))
        await append([block])
        return block
    }

    private func handle(_ event: PeerEvent) async {
        switch event {
        case .connected(let peer):
            guard let status = ToyWire.decodeStatus(peer.application) else { return }
            await learned(status.height, from: peer.ip)
        case .disconnected(let peer):
            peerHeights[peer.ip] = nil
            asked.remove(peer.ip)
        case .banned, .unbanned, .dropped:
            break
        }
    }

    private func handle(_ message: ToyWire.Message?, from peer: PeerIP) async {
        switch message {
        case .announce(let height, _):
            await learned(height, from: peer)
        case .getBlocks(let from, let count):
            // Bounded whatever was asked: at most 64 blocks, only those we have; none (an
            // empty answer, so the asker does not wait for us) if we have none of them.
            var counters: [UInt64] = []
            if from >= 1, from <= height {
                let first = Int(from)
                let last = min(blocks.count, first + min(max(count, 0), ToyWire.maximumBlocksPerRequest))
                counters = blocks[first..<last].map(\.counter)
            }
            await node.send(ToyWire.encode(.blocks(from: from, counters: counters)), channel: ToyWire.channel, to: peer)
        case .blocks(let from, let counters):
            asked.remove(peer)
            guard !counters.isEmpty else {
                // It has less than it said (or than we thought): stop asking it until it
                // announces more.
                peerHeights[peer] = min(peerHeights[peer] ?? 0, height)
                return
            }
            guard from >= 1, from <= height + 1 else {
                await requestIfBehind(peer)
                return
            }
            // Rebuild each block on the one before it; ours from `from` on are replaced only
            // if the peer's chain ends higher (the longest chain wins).
            var candidate = Array(blocks[0..<Int(from)])
            for counter in counters {
                candidate.append(
                    Block(height: UInt64(candidate.count), previous: candidate.last!.hash, counter: counter))
            }
            if candidate.count > blocks.count {
                let fresh = Array(candidate[Int(from)...])
                blocks.removeSubrange(Int(from)...)
                await append(fresh)
            }
            await requestIfBehind(peer)
        case .none:
            break  // malformed: ignored (a real chain would count it against the peer)
        }
    }

    private func learned(_ height: UInt64, from peer: PeerIP) async {
        peerHeights[peer] = max(peerHeights[peer] ?? 0, height)
        await requestIfBehind(peer)
    }

    /// Asks `peer` for the next blocks if it knows more than we do and is not already asked.
    private func requestIfBehind(_ peer: PeerIP) async {
        guard let theirs = peerHeights[peer], theirs > height, !asked.contains(peer) else { return }
        let count = Int(min(theirs - height, UInt64(ToyWire.maximumBlocksPerRequest)))
        asked.insert(peer)
        let request = ToyWire.encode(.getBlocks(from: height + 1, count: count))
        if !(await node.send(request, channel: ToyWire.channel, to: peer)) { asked.remove(peer) }
    }

    private func append(_ fresh: [Block]) async {
        blocks += fresh
        node.setHandshakeData(ToyWire.encode(ToyWire.Status(genesis: genesis.hash, height: height, tip: tip.hash)))
        onHeight(height, tip.hashHex)
        await node.broadcast(ToyWire.encode(.announce(height: height, tip: tip.hash)), channel: ToyWire.channel)
    }
}
