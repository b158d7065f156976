import Wire

/// Why a sibling's view could not be read. Its text is what the graph and the log show.
public struct MeshFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for tests and callers that tell failures apart.
    public enum Kind: Sendable, Equatable {
        /// The TCP connection failed (the reason code says how: `connection_refused`, …).
        case unreachable
        /// No whole answer within the timeout.
        case timedOut
        /// It answered with another status than 200.
        case status
        /// It sent more than the size bound.
        case tooLarge
        /// It sent something that is not an HTTP response with a mesh view in JSON.
        case malformed
    }

    /// What went wrong.
    public var kind: Kind
    /// Why, in words (the graph's `error` and the log's).
    public var description: String

    /// A failure of `kind`, described.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

/// Reads one sibling's own view (`GET /api/p2p/mesh?scope=local`) over the reactor: one
/// connection, one request, every step under one deadline (a reactor timer, so a test's
/// manual clock drives it), the answer bounded in size. A sibling is another process whose
/// answer may be slow, huge or garbage: each of those ends as a ``MeshFetchError``, never as a
/// wait without end or a crash.
public enum SiblingFetch {
    /// The path asked of a sibling: its own view only, so that two nodes never ask each other
    /// in a loop.
    public static let path = "/api/p2p/mesh?scope=local"

    /// The view of the sibling whose debug endpoint is `sibling`, or why there is none, within
    /// `timeout` (the whole exchange) and `maximumBytes` (the answer's body).
    public static func view(
        from sibling: SocketAddress, timeout: Duration, maximumBytes: Int, reactor: Reactor
    ) async -> Result<MeshView, MeshFetchError> {
        let milliseconds = timeout.nanoseconds / 1_000_000
        let timedOut = MeshFetchError(.timedOut, "no answer within \(milliseconds) ms")
        let deadline = reactor.now() &+ timeout.nanoseconds
        let stream: ByteStream
        do {
            stream = try await ByteStream.connect(to: sibling, timeout: timeout, reactor: reactor)
        } catch {
            return .failure(error == .timedOut ? timedOut : Self.unreachable(error))
        }
        await stream.setDeadline(at: deadline)
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(sibling)\r\nConnection: close\r\n"
            + "Accept: application/json\r\nUser-Agent: meshnode-mesh\r\n\r\n"
        // The head is small (about 300 bytes from a node); the body is the view.
        var parser = HTTPResponseParser(maximumHeadBytes: 16 << 10, maximumBodyBytes: maximumBytes)
        let response: HTTPResponseParser.Response
        do {
            try await stream.write(Array(request.utf8))
            response = try await read(stream, into: &parser)
        } catch let failure as MeshFetchError {
            await stream.close()
            return .failure(failure)
        } catch let error as ByteStream.Failure {
            await stream.close()
            return .failure(error == .timedOut ? timedOut : Self.unreachable(error))
        } catch {
            await stream.close()
            return .failure(MeshFetchError(.malformed, "\(error)"))
        }
        await stream.close()
        guard response.status == 200 else {
            return .failure(MeshFetchError(.status, "answered HTTP \(response.status), not a mesh view"))
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(response.body)
        } catch {
            return .failure(MeshFetchError(.malformed, "not JSON: \(error)"))
        }
        do {
            return .success(try MeshView(parsing: json))
        } catch {
            return .failure(MeshFetchError(.malformed, "not a mesh view: \(error)"))
        }
    }

    /// Reads until the response is whole (or the sibling closes).
    static func read(_ stream: ByteStream, into parser: inout HTTPResponseParser) async throws
        -> HTTPResponseParser.Response
    {
        while true {
            let received: [UInt8]?
            do throws(ByteStream.Failure) {
                received = try await stream.receive()
            } catch {
                // A server may answer and close at once: what arrived may be whole.
                guard case .syscall(let syscall) = error, syscall.reason == .connectionReset else { throw error }
                received = nil
            }
            do {
                guard let received else { return try parser.finish() }
                if let response = try parser.feed(received) { return response }
            } catch {
                throw MeshFetchError(
                    error.isTooLarge ? .tooLarge : .malformed, "not an acceptable HTTP response: \(error)")
            }
        }
    }

    static func unreachable(_ error: ByteStream.Failure) -> MeshFetchError {
        switch error {
        case .syscall(let syscall): return MeshFetchError(.unreachable, syscall.reason.rawValue)
        case .reactorStopped: return MeshFetchError(.unreachable, "the node is stopping")
        case .closed: return MeshFetchError(.unreachable, "cancelled")
        case .timedOut: return MeshFetchError(.timedOut, "timed out")
        }
    }
}
