/// The request-target forms of RFC 9112 §3.2: origin-form (`/path?query`), absolute-form
/// (`http://authority/path`, which a server must accept, §3.2.2), asterisk-form (`*`, for
/// OPTIONS) and authority-form (`host:port`, for CONNECT).
enum HTTPTarget {
    static func resolve(_ target: String, method: String, into request: inout HTTPRequest)
        throws(HTTPParseError)
    {
        if target.hasPrefix("/") {
            (request.path, request.query) = split(target)
            return
        }
        if target == "*" {
            guard method == "OPTIONS" else { throw .malformed("'*' is a target for OPTIONS only") }
            request.path = "*"
            return
        }
        if method == "CONNECT" {
            request.authority = target
            request.path = target
            return
        }
        let lowered = target.lowercased()
        let schemeLength: Int
        if lowered.hasPrefix("http://") {
            schemeLength = 7
        } else if lowered.hasPrefix("https://") {
            schemeLength = 8
        } else {
            throw .malformed("request target must be '/path' or 'http://host/path'")
        }
        let rest = target.dropFirst(schemeLength)
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = String(rest[..<end])
        guard !authority.isEmpty, !authority.contains("@") else {
            throw .malformed("absolute-form target needs a host and no user info")
        }
        request.authority = authority
        let remainder = rest[end...]
        guard !remainder.hasPrefix("#") else { throw .malformed("fragment in request target") }
        (request.path, request.query) = split(remainder.hasPrefix("/") ? String(remainder) : "/" + remainder)
    }

    static func split(_ target: String) -> (String, String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }
}
