import Diagnostics
import Wire

/// GETs against a `meshnode` debug endpoint (a child process), bounded in time and size.
enum DebugHTTP {
    /// The body of `GET path`, or nil when the endpoint does not answer 200.
    static func get(_ endpoint: SocketAddress, _ path: String, limit: Int = 4 << 20) async -> [UInt8]? {
        guard let stream = try? await ByteStream.connect(to: endpoint, timeout: .seconds(2)) else { return nil }
        defer { Task { await stream.close() } }
        let request = "GET \(path) HTTP/1.1\r\nHost: \(endpoint)\r\nConnection: close\r\n\r\n"
        guard (try? await stream.write(Array(request.utf8))) != nil else { return nil }
        var bytes: [UInt8] = []
        while bytes.count < limit, let chunk = try? await stream.receive() { bytes += chunk }
        guard bytes.starts(with: Array("HTTP/1.1 200".utf8)) else { return nil }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4,
            let end = (0...(bytes.count - 4)).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) })
        else { return nil }
        return Array(bytes[(end + 4)...])
    }

    /// The parsed JSON body of `GET path`.
    static func json(_ endpoint: SocketAddress, _ path: String) async -> JSONValue? {
        guard let body = await get(endpoint, path) else { return nil }
        return try? JSONValue.parse(body)
    }

    /// One session of a node, as `/api/p2p/debug` lists it.
    struct Session: Sendable {
        let ip: IPAddress
        let outbound: Bool
    }

    /// The node's sessions, or nil when it does not answer.
    static func sessions(_ endpoint: SocketAddress) async -> [Session]? {
        guard let peers = await json(endpoint, "/api/p2p/debug")?["connected_peers"]?.arrayValue else { return nil }
        return peers.compactMap { peer in
            guard let text = peer["ip"]?.stringValue, let ip = IPAddress(parsing: text) else { return nil }
            return Session(ip: ip, outbound: peer["direction"]?.stringValue == "outbound")
        }
    }
}
