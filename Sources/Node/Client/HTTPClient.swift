import Diagnostics
import Wire

/// A minimal HTTP/1.1 client for the CLI: one request per connection (`Connection: close`),
/// blocking, every step bounded by one overall deadline. Enough for a node's own debug
/// endpoint; not a general-purpose client (no TLS, redirects or proxies).
struct HTTPClient {
    let url: DebugURL
    /// The whole exchange (connect, send, read) must end within this.
    var timeout: Duration = .seconds(5)

    /// Why a request got no usable response.
    enum Failure: Error, CustomStringConvertible {
        /// Nothing listens there, or it cannot be reached (the reason code says how).
        case unreachable(url: DebugURL, reason: ReasonCode)
        /// The URL's host name resolves to no address.
        case unresolved(url: DebugURL)
        /// It accepted the connection but did not answer in time.
        case timedOut(url: DebugURL, seconds: Double)
        /// It answered something that is not an acceptable HTTP response.
        case malformed(url: DebugURL, why: String)

        var description: String {
            switch self {
            case .unreachable(let url, let reason):
                return "cannot reach the node's debug endpoint at \(url) (\(reason.rawValue)): is the node running, "
                    + "with this --debug-listen? (give --debug-url URL)"
            case .unresolved(let url):
                return "cannot resolve '\(url.host)' of --debug-url \(url) (give the node's address, e.g. "
                    + "http://127.0.0.1:7070)"
            case .timedOut(let url, let seconds):
                return "the debug endpoint at \(url) did not answer within \(seconds.formatted(decimals: 1)) s"
            case .malformed(let url, let why):
                return "the debug endpoint at \(url) sent a broken response: \(why)"
            }
        }
    }

    /// Sends one request and reads the whole response.
    func send(method: String, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil)
        throws(Failure) -> HTTPResponseParser.Response
    {
        let deadline = Posix.monotonicNanoseconds() &+ timeout.nanoseconds
        let stream = try connect(deadline: deadline)
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(url.authority)\r\nConnection: close\r\n"
        request += "User-Agent: meshnode/\(Command.versionString)\r\nAccept: application/json\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if let body { request += "Content-Length: \(body.count)\r\n" }
        var bytes = Array((request + "\r\n").utf8)
        if let body { bytes += body }
        var parser = HTTPResponseParser(requestWasHead: method == "HEAD")
        do {
            try stream.sendAll(bytes, deadline: deadline)
            while true {
                let received = try stream.receive(upTo: 64 << 10, deadline: deadline)
                if received.isEmpty { return try parser.finish() }
                if let response = try parser.feed(received) { return response }
            }
        } catch let error as SyscallError {
            // A server may answer and close before reading all of a request it refuses.
            if error.reason == .connectionReset, let response = try? parser.finish() { return response }
            throw failure(error)
        } catch let error as HTTPResponseParser.Failure {
            throw .malformed(url: url, why: error.description)
        } catch {
            throw .malformed(url: url, why: "\(error)")
        }
    }

    /// Connects to the first of the URL's addresses that accepts.
    private func connect(deadline: UInt64) throws(Failure) -> BlockingStream {
        let addresses = url.addresses()
        guard !addresses.isEmpty else { throw .unresolved(url: url) }
        var lastError = SyscallError("connect", errno: 0)
        for address in addresses {
            do {
                return try BlockingStream.connect(to: address, deadline: deadline)
            } catch {
                lastError = error
            }
        }
        throw failure(lastError)
    }

    private func failure(_ error: SyscallError) -> Failure {
        if error.reason == .timeout && error.operation != "connect" {
            return .timedOut(url: url, seconds: Double(timeout.nanoseconds) / 1e9)
        }
        return .unreachable(url: url, reason: error.reason)
    }
}
