@testable import Actors
@testable import Wire

/// A peer-book file of `count` seed records at 127.128.0.0 + i, port 7071: loopback, so a
/// test node dials them only with `--lan`, and then nothing off this machine. Each is told
/// by a source of its own: the address manager gives one source (the operator's seeds
/// included) at most 16 buckets, and these must all fit.
func encodedLoopbackBook(count: Int) -> [UInt8] {
    var book = PeerBook()
    for index in 0..<count {
        let source = PeerIP(.v4(0x0100_0000 &+ UInt32(truncatingIfNeeded: index) << 16))
        book.add(
            SocketAddress(ip: .v4(0x7F80_0000 | UInt32(index)), port: 7071), source: .seed, from: source, now: 1.7e9)
    }
    return PeerBookStore.encode(book)
}
