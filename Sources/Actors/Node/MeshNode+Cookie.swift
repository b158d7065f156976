import Diagnostics
import Wire

extension MeshNode {
    /// Writes `<data-dir>/.cookie` (mode 0600, atomically) for the `meshnode` CLI and other
    /// local tools, as bitcoind does for its RPC: only a user who can read the data dir can
    /// change the node's state through the debug endpoint. Nothing is written for a node
    /// without a data dir on disk or without an endpoint.
    func writeCookie() {
        guard store != nil, debugListener != nil else { return }
        let path = configuration.cookiePath
        do {
            try Posix.writeSecretFile(path, Array(debugCookie.utf8))
            logger.log(.info, "debug.cookie_written", [("path", .string(path))])
        } catch {
            logger.log(
                .error, "debug.cookie_failed",
                [("path", .string(path)), ("error", .string("\(error)"))])
        }
    }

    /// Removes the cookie at a clean shutdown (it is useless once the node is gone, and a
    /// stale one would mislead the CLI).
    func removeCookie() {
        guard store != nil, debugListener != nil else { return }
        Posix.removeFile(configuration.cookiePath)
    }
}
