import Foundation

/// A one-shot HTTP server on a raw blocking socket, on its own thread: accepts one connection,
/// reads one request (head, then as many body bytes as its Content-Length says), answers the
/// given bytes, and closes (or holds the connection until the client hangs up). Every wait is
/// bounded (5 s), so a broken client fails the test instead of hanging it.
final class FakeHTTPServer: @unchecked Sendable {
    // @unchecked Sendable: `fd` and `port` are set in init; `captured` is written by the server
    // thread before it signals `done`, and read only after waiting for `done`.
    enum Behaviour {
        /// Answer these bytes; then close, or keep the connection open until the client closes.
        case answer([UInt8], close: Bool)
        /// Read the request and never answer.
        case silent
    }

    let port: UInt16
    private let fd: Int32
    private var captured: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(host: String, behaviour: Behaviour) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, host, &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound else {
            if fd >= 0 { close(fd) }
            throw CocoaError(.fileWriteUnknown)
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in
            serve(behaviour)
            done.signal()
        }
        thread.start()
    }

    /// The request bytes the server read (waits for the server to finish, at most 10 s).
    func request() -> [UInt8] {
        _ = done.wait(timeout: .now() + 10)
        return captured
    }

    private func serve(_ behaviour: Behaviour) {
        defer { close(fd) }
        guard Self.waitReadable(fd), case let client = accept(fd, nil, nil), client >= 0 else { return }
        defer { close(client) }
        while !Self.isWholeRequest(captured), Self.waitReadable(client) {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { break }
            captured += buffer[0..<count]
        }
        guard case .answer(let bytes, let closeAtOnce) = behaviour else {
            Self.drainUntilClosed(client)
            return
        }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
        if !closeAtOnce { Self.drainUntilClosed(client) }
    }

    private static func drainUntilClosed(_ client: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while waitReadable(client), recv(client, &buffer, buffer.count, 0) > 0 {}
    }

    private static func waitReadable(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 5000) > 0
    }

    static func isWholeRequest(_ bytes: [UInt8]) -> Bool {
        guard let request = ParsedRequest(bytes) else { return false }
        return request.body.count >= Int(request.headers["content-length"] ?? "0") ?? 0
    }
}

/// A request as the fake server read it.
struct ParsedRequest {
    let method: String
    let target: String
    let version: String
    /// Lowercased names; a repeated header keeps its values joined by ", ".
    let headers: [String: String]
    /// How many times each header appeared.
    let headerCounts: [String: Int]
    let body: [UInt8]

    init?(_ bytes: [UInt8]) {
        guard
            let end = (0..<max(0, bytes.count - 3)).first(where: {
                bytes[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10])
            })
        else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ").map(String.init)
        guard parts.count == 3 else { return nil }
        (method, target, version) = (parts[0], parts[1], parts[2])
        var headers: [String: String] = [:]
        var counts: [String: Int] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
            counts[name, default: 0] += 1
        }
        self.headers = headers
        headerCounts = counts
        body = Array(bytes[(end + 4)...])
    }
}
