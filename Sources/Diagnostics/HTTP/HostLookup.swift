import Dispatch
import Wire

/// Host names in operator input (`--peer`, `--seed`, `POST /api/p2p/connect`): checked as
/// RFC 1123 names, then looked up with getaddrinfo on a Dispatch thread, because it blocks
/// for as long as the resolver takes and the reactor must never wait for it.
public enum HostLookup {
    /// `HOST:PORT` where HOST is a name (letters, digits, `-`, `.`, `_`; at most 253 bytes; not
    /// starting with `-` or `.`) and PORT 1-65535; nil for anything else, numeric addresses
    /// included (they need no lookup).
    public static func split(_ text: String) -> (host: String, port: UInt16)? {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            let port = UInt16(text[text.index(after: colon)...]), port > 0
        else { return nil }
        let host = text[..<colon]
        let allowed = host.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        }
        guard allowed, host.utf8.count <= 253, !host.hasPrefix("-"), !host.hasPrefix("."),
            IPAddress(parsing: String(host)) == nil
        else { return nil }
        return (String(host), port)
    }

    /// Resolves `host` on a Dispatch thread.
    public static func resolve(_ host: String) async -> Result<[IPAddress], Posix.ResolveError> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Posix.resolveExplaining(host)) }
        }
    }
}
