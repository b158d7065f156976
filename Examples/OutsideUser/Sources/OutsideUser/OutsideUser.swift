import MeshNodeKit

/// Two nodes on 127.0.152.1 and .2: one greets through the handshake bytes, the other checks
/// them, they exchange a payload on channel 3, then one bans the other. Prints each step and
/// exits non-zero on the first one that does not happen.
@main
struct OutsideUser {
    static func check(_ condition: Bool, _ step: String) {
        print(condition ? "ok   \(step)" : "FAIL \(step)")
        if !condition { failed = true }
    }

    nonisolated(unsafe) static var failed = false

    static func main() async throws {
        var first = Node.Configuration(listen: try SocketAddress(parsing: "127.0.152.1:0"))
        first.allowPrivateAddresses = true
        first.handshakeData = Array("hello from the outside".utf8)
        var second = Node.Configuration(listen: try SocketAddress(parsing: "127.0.152.2:0"))
        second.allowPrivateAddresses = true
        let a = try Node(configuration: first)
        let b = try Node(configuration: second)
        b.setHandshakeValidator { peer in
            peer.application.starts(with: Array("hello".utf8)) ? nil : "no greeting"
        }
        let events = b.events()
        let channel = b.subscribe(channel: 3)
        let runningA = Task { await a.run() }
        let runningB = Task { await b.run() }

        check(await a.connect(b.listenAddress) == nil, "a connects to b")
        var iterator = events.makeAsyncIterator()
        if case .connected(let peer) = await iterator.next() {
            check(String(decoding: peer.application, as: UTF8.self) == "hello from the outside", "b sees a's bytes")
            check(peer.agreedVersion == Node.currentProtocolVersion, "agreed version \(peer.agreedVersion)")
            check(await a.send([1, 2, 3], channel: 3, to: PeerIP(b.listenAddress.ip)), "a sends on channel 3")
            var payloads = channel.makeAsyncIterator()
            let received = await payloads.next()
            check(received?.0 == peer.ip && received?.1 == [1, 2, 3], "b receives it")
            await b.ban(peer.ip, reason: "the example is over", duration: .seconds(60))
            if case .banned(let ip, _, let reason) = await iterator.next() {
                check(ip == peer.ip && reason == "the example is over", "b bans a")
            } else {
                check(false, "a banned event")
            }
            if case .disconnected(let ended) = await iterator.next() {
                check(ended.endedBy == .local && ended.reason.rawValue == "peer_banned", "the session ended")
            } else {
                check(false, "a disconnected event")
            }
        } else {
            check(false, "a connected event")
        }
        await a.shutdown()
        await b.shutdown()
        await runningA.value
        await runningB.value
        print(failed ? "outside user: FAILED" : "outside user: ok")
        if failed { throw Failure() }
    }

    struct Failure: Error {}
}
