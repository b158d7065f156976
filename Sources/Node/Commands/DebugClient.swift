import Foundation
import Wire

/// A minimal HTTP/1.1 GET client for `meshnode status` and `diagnose`, on the Wire layer.
struct DebugClient {
    let host: SocketAddress

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `http://HOST:PORT` (a path, if any, is ignored).
    init(url: String) throws(Failure) {
        var rest = Substring(url)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        do {
            host = try SocketAddress(parsing: String(rest))
        } catch {
            throw Failure(description: "--debug-url '\(url)': \(error) (expected http://HOST:PORT)")
        }
    }

    /// GETs `path` and decodes its JSON body.
    func json(_ path: String) async throws(Failure) -> [String: Any] {
        let body = try await get(path)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw Failure(description: "\(path) did not answer JSON")
        }
        return object
    }

    func get(_ path: String) async throws(Failure) -> [UInt8] {
        let reactor = Reactor.shared
        do {
            let connection = try await Connection.connect(to: host, timeout: .seconds(2), reactor: reactor)
            let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
            try await connection.send(bytes: Array(request.utf8))
            var response: [UInt8] = []
            while let bytes = try await connection.receiveBytes() {
                response += bytes
                if response.count > 16 << 20 { break }
            }
            await connection.close()
            guard let split = HTTPSplit(response) else { throw Failure(description: "malformed HTTP response") }
            guard split.status == 200 else {
                throw Failure(description: "\(path) answered \(split.status)")
            }
            return split.body
        } catch let failure as Failure {
            throw failure
        } catch let error as ConnectionError {
            throw Failure(
                description: "cannot reach the debug endpoint at http://\(host) (\(error.reason)): "
                    + "is the node running, and with this --debug-listen?")
        } catch {
            throw Failure(description: "\(error)")
        }
    }
}

/// The status code and body of a whole HTTP response.
struct HTTPSplit {
    let status: Int
    let body: [UInt8]

    init?(_ bytes: [UInt8]) {
        guard
            let end = (0..<max(0, bytes.count - 3)).first(where: {
                bytes[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10])
            })
        else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let parts = head.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        self.status = status
        self.body = Array(bytes[(end + 4)...])
    }
}
