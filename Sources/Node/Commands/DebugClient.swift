import Diagnostics
import Wire

/// The CLI's side of a node's debug endpoint: JSON documents and control calls over
/// ``HTTPClient``, parsed with the project's own JSON (no Foundation in the binary).
struct DebugClient {
    let http: HTTPClient

    /// Why a call failed, as one line for a person.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `http://HOST:PORT` (see ``DebugURL``).
    init(url: String, timeout: Duration = .seconds(5)) throws(Failure) {
        do {
            http = HTTPClient(url: try DebugURL(parsing: url), timeout: timeout)
        } catch {
            throw Failure(description: error.description)
        }
    }

    /// GETs `path`, which must answer 200 with JSON.
    func json(_ path: String) throws(Failure) -> JSONValue {
        try call("GET", path)
    }

    /// One call: `body` is sent as `application/json`, `cookie` as `Authorization: Bearer`.
    /// Answers the JSON of a 2xx response; any other status fails with the error body's message.
    func call(_ method: String, _ path: String, body: JSONValue? = nil, cookie: String? = nil) throws(Failure)
        -> JSONValue
    {
        var headers: [(String, String)] = []
        if let cookie { headers.append(("Authorization", "Bearer \(cookie)")) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response: HTTPResponseParser.Response
        do {
            response = try http.send(
                method: method, path: path, headers: headers, body: body.map { Array($0.render().utf8) })
        } catch {
            throw Failure(description: error.description)
        }
        let json = try? JSONValue.parse(response.body)
        guard (200...299).contains(response.status) else {
            let message =
                json?["error"]?.stringValue ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            throw Failure(description: "\(method) \(path) answered \(response.status): \(message)")
        }
        guard let json else { throw Failure(description: "\(method) \(path) did not answer JSON") }
        return json
    }
}

/// The status code and body of a whole HTTP response held in memory (tests read the node's
/// endpoint with it).
struct HTTPSplit {
    let status: Int
    let body: [UInt8]

    init?(_ bytes: [UInt8]) {
        var parser = HTTPResponseParser()
        do {
            let response = try parser.feed(bytes) ?? parser.finish()
            status = response.status
            body = response.body
        } catch {
            return nil
        }
    }
}
