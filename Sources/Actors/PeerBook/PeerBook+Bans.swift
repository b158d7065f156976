import Wire

extension PeerBook {
    /// One ban in force.
    public struct Ban: Sendable, Equatable {
        public var ip: PeerIP
        /// Unix seconds.
        public var until: Double
        /// Why (a reason code), if known.
        public var reason: String?
    }

    /// Bans `ip` until `until` (Unix seconds, at most `maximumBanDuration` ahead) for
    /// `reason`. An IP the book does not know (an inbound peer) gets a record without a port:
    /// it holds the ban and is never dialed or shared.
    public mutating func ban(_ ip: PeerIP, until: Double, reason: ReasonCode, now: Double) {
        addUnreachable(ip, now: now)
        guard var record = records[ip] else { return }
        let limit = now + Self.maximumBanDuration
        record.bannedUntil = until.isFinite ? min(until, limit) : limit
        record.banReason = reason.rawValue
        record.violations = 0
        overwrite(record)
    }

    /// Lifts the IP's ban and forgets its violations; false if no ban was in force.
    @discardableResult
    public mutating func unban(_ ip: PeerIP, now: Double) -> Bool {
        guard var record = records[ip] else { return false }
        let wasBanned = (record.bannedUntil ?? 0) > now
        record.bannedUntil = nil
        record.banReason = nil
        record.violations = 0
        overwrite(record)
        return wasBanned
    }

    /// The bans in force, by IP.
    public func bans(now: Double) -> [Ban] {
        records.values.compactMap { record in
            guard let until = record.bannedUntil, until > now else { return nil }
            return Ban(ip: record.ip, until: until, reason: record.banReason)
        }.sorted { $0.ip < $1.ip }
    }

    /// Makes sure the IP has a record (port 0 if it is new: an inbound peer whose listen port
    /// we never learned), so that its violations and ban can be kept.
    mutating func addUnreachable(_ ip: PeerIP, now: Double) {
        guard records[ip] == nil else { return }
        add(SocketAddress(ip: ip.address, port: 0), source: .handshake, now: now)
    }
}
