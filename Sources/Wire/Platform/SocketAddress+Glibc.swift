import Glibc

extension IPAddress {
    /// Parses a numeric IPv4 or IPv6 address (no brackets, no port); `nil` if it is neither.
    public init?(parsing text: String) {
        // inet_pton reads a C string: an embedded NUL would end the text early, so
        // "10.0.0.1\0junk" would parse as 10.0.0.1. The longest textual IPv6 address is 45
        // characters; anything longer or containing NUL is no address.
        guard text.utf8.count <= 45, !text.utf8.contains(0) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self = IPAddress(in6: v6).normalized
    }

    init(in6 address: in6_addr) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        withUnsafeBytes(of: address) { bytes in
            for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
            for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
        }
        self = .v6(high, low)
    }
}

extension SocketAddress {
    /// The address family for `socket()`.
    var family: Int32 {
        ip.isIPv4 ? AF_INET : AF_INET6
    }

    var storageLength: socklen_t {
        socklen_t(ip.isIPv4 ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
    }

    /// The kernel form of this address.
    func storage() -> sockaddr_storage {
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in
            switch ip {
            case .v4(let value):
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr.s_addr = value.bigEndian
                withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
            case .v6(let high, let low):
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                withUnsafeMutableBytes(of: &address.sin6_addr) { bytes in
                    for index in 0..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index)) }
                    for index in 0..<8 { bytes[8 + index] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * index)) }
                }
                withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
            }
        }
        return storage
    }

    /// Reads an address the kernel filled in; `nil` for families other than IPv4/IPv6.
    init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            self.init(ip: .v4(UInt32(bigEndian: address.sin_addr.s_addr)), port: UInt16(bigEndian: address.sin_port))
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            self.init(ip: IPAddress(in6: address.sin6_addr), port: UInt16(bigEndian: address.sin6_port))
        default:
            return nil
        }
    }
}
