import Foundation

@testable import Wire

/// What tests read from a node: its JSON log lines and its debug endpoint.

/// The JSON log lines of `text` named `event` (about `peer`, an IP or HOST:PORT prefix, if
/// given); lines that are not JSON are skipped.
func logEvents(in text: String, named event: String, peer: String? = nil) -> [[String: Any]] {
    text.split(separator: "\n").compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }.filter { entry in
        entry["event"] as? String == event && (peer.map { (entry["peer"] as? String)?.hasPrefix($0) == true } ?? true)
    }
}

/// One sample of `/metrics`, by its full name with labels (`name{label="v"}`), or nil.
func metricSample(_ debug: SocketAddress, _ sample: String) async -> Double? {
    guard let (_, body) = try? await http(debug, "/metrics") else { return nil }
    return String(decoding: body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(sample + " ") }
        .flatMap { Double($0.split(separator: " ").last ?? "") }
}

/// `connected_since_unix` of the session with `ip` in `/api/p2p/debug`, or nil if none.
func connectedSince(_ debug: SocketAddress, peer ip: String) async -> Double? {
    guard let (_, body) = try? await http(debug, "/api/p2p/debug"), let json = try? jsonObject(body),
        let peers = json["connected_peers"] as? [[String: Any]]
    else { return nil }
    return peers.first { $0["ip"] as? String == ip }?["connected_since_unix"] as? Double
}
