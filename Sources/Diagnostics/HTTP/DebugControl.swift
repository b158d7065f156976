/// What the debug endpoint's operator routes ask of the node (connect, disconnect, ban,
/// unban, the ban list, the settings in force). Diagnostics knows nothing of actors; the node
/// implements this.
public protocol DebugControl: Sendable {
    /// Dials `address` now, bypassing cooldown; `persist` also keeps it as a `direct` peer.
    func connect(_ address: String, persist: Bool) async -> Result<Void, ConnectRefusal>
    /// Closes the session with `ip` as `operator_disconnect`.
    func disconnect(ip: String) async -> Result<Void, ControlError>
    /// Bans `ip` for `seconds` and closes its session as `operator_ban`.
    func ban(ip: String, seconds: Int) async -> Result<BanEntry, ControlError>
    /// Lifts a ban.
    func unban(ip: String) async -> Result<Void, ControlError>
    /// Every ban in force.
    func bans() async -> [BanEntry]
    /// The settings in force and where each came from.
    func settings() async -> [ConfigSetting]
}

/// Why an operator action was not carried out.
public struct ControlError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// 400: the input is not an IP (or not a valid duration).
        case invalid
        /// 404: no such session or ban.
        case notFound
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// One ban in force.
public struct BanEntry: Sendable, Equatable {
    public var ip: String
    public var bannedUntilUnix: Int
    /// The reason code of the last failure (`operator_ban`, `protocol_violation`, …).
    public var reason: String?
    /// For a ban just made: whether a session was closed by it.
    public var disconnected: Bool

    public init(ip: String, bannedUntilUnix: Int, reason: String?, disconnected: Bool = false) {
        self.ip = ip
        self.bannedUntilUnix = bannedUntilUnix
        self.reason = reason
        self.disconnected = disconnected
    }
}

/// One setting in force: its value and where it came from (`default`, `file`, `flag`, `env`).
public struct ConfigSetting: Sendable, Equatable {
    public var name: String
    public var value: JSONValue
    public var source: String

    public init(name: String, value: JSONValue, source: String) {
        self.name = name
        self.value = value
        self.source = source
    }
}
