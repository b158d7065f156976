import Testing

@testable import Wire

@Suite struct AddressTests {
    @Test func parsesIPv4AndBracketedIPv6() throws {
        #expect(try SocketAddress(parsing: "127.0.0.2:7071") == SocketAddress(ip: .v4(0x7F00_0002), port: 7071))
        let v6 = try SocketAddress(parsing: "[2001:db8::1]:80")
        #expect(v6.description == "[2001:db8::1]:80")
        #expect(v6.ip == .v6(0x2001_0DB8_0000_0000, 1))
    }

    @Test func ipv4MappedIPv6_foldsToIPv4() throws {
        let mapped = try SocketAddress(parsing: "[::ffff:10.1.2.3]:7071")
        #expect(mapped.ip == .v4(0x0A01_0203))
        #expect(mapped.description == "10.1.2.3:7071")
    }

    @Test func malformedAddresses_areNamed() {
        #expect(throws: SocketAddress.AddressError.missingPort("1.2.3.4")) { try SocketAddress(parsing: "1.2.3.4") }
        #expect(throws: SocketAddress.AddressError.invalidPort("1.2.3.4:99999")) {
            try SocketAddress(parsing: "1.2.3.4:99999")
        }
        #expect(throws: SocketAddress.AddressError.invalidHost("host.example:1")) {
            try SocketAddress(parsing: "host.example:1")
        }
        #expect(throws: SocketAddress.AddressError.malformed("::1:80")) { try SocketAddress(parsing: "::1:80") }
        #expect(throws: SocketAddress.AddressError.invalidPort("1.2.3.4:")) { try SocketAddress(parsing: "1.2.3.4:") }
    }

    /// An IP from a JSON body or a URL may carry a NUL (`\u0000` is valid JSON): the text is
    /// an address only if all of it is, never up to the NUL as a C string would read it.
    @Test func embeddedNUL_orOverlongText_isNoAddress() {
        #expect(IPAddress(parsing: "10.0.0.1\u{0}junk") == nil)
        #expect(IPAddress(parsing: "::1\u{0}") == nil)
        #expect(IPAddress(parsing: String(repeating: "0", count: 46)) == nil)
        #expect(IPAddress(parsing: "0000:0000:0000:0000:0000:ffff:255.255.255.255") != nil)  // 45 characters
    }

    @Test func orderingIsNumeric() {
        let a = IPAddress(parsing: "127.0.0.10")!
        let b = IPAddress(parsing: "127.0.0.9")!
        #expect(a > b)  // as text "127.0.0.10" < "127.0.0.9"; as numbers it is higher
        #expect(IPAddress.v4(.max) < IPAddress.v6(0, 0))
    }

    @Test func classification() {
        #expect(IPAddress(parsing: "127.0.0.5")!.isLoopback)
        #expect(IPAddress(parsing: "::1")!.isLoopback)
        #expect(IPAddress(parsing: "10.0.0.1")!.isPrivate)
        #expect(IPAddress(parsing: "172.20.0.1")!.isPrivate)
        #expect(!IPAddress(parsing: "172.32.0.1")!.isPrivate)
        #expect(IPAddress(parsing: "192.168.1.1")!.isPrivate)
        #expect(IPAddress(parsing: "fd00::1")!.isPrivate)
        #expect(!IPAddress(parsing: "8.8.8.8")!.isPrivate)
        #expect(IPAddress(parsing: "224.0.0.1")!.isUnroutable)
        #expect(IPAddress(parsing: "0.0.0.0")!.isUnspecified)
    }

    @Test func ipv6TextIsCanonical() {
        #expect(IPAddress(parsing: "2001:0db8:0000:0000:0000:0000:0000:0001")!.description == "2001:db8::1")
        #expect(IPAddress(parsing: "::")!.description == "::")
        #expect(IPAddress(parsing: "1:0:0:2:0:0:0:3")!.description == "1:0:0:2::3")
    }
}

@Suite struct ReasonClassificationTests {
    @Test func errnoMapsToReasonCodes() {
        #expect(ReasonCode(classifyingErrno: 111) == .connectionRefused)  // ECONNREFUSED
        #expect(ReasonCode(classifyingErrno: 110) == .timeout)  // ETIMEDOUT
        #expect(ReasonCode(classifyingErrno: 104) == .connectionReset)  // ECONNRESET
        #expect(ReasonCode(classifyingErrno: 103) == .connectionAborted)  // ECONNABORTED
        #expect(ReasonCode(classifyingErrno: 107) == .notConnected)  // ENOTCONN
        #expect(ReasonCode(classifyingErrno: 99) == .addrNotAvailable)  // EADDRNOTAVAIL
        #expect(ReasonCode(classifyingErrno: 101) == .networkUnreachable)  // ENETUNREACH
        #expect(ReasonCode(classifyingErrno: 113) == .noRouteToHost)  // EHOSTUNREACH
        #expect(ReasonCode(classifyingErrno: 13) == .networkUnreachable)  // EACCES: a prohibit route
        #expect(ReasonCode(classifyingErrno: 1) == .networkUnreachable)  // EPERM: a local firewall rule
        #expect(ReasonCode(classifyingErrno: 22) == .dialError)  // EINVAL in general
        // EINVAL from connect: a blackhole route.
        #expect(SyscallError("connect", errno: 22).reason == .networkUnreachable)
        #expect(SyscallError("setsockopt", errno: 22).reason == .dialError)
    }

    @Test func connectionErrorsMapToReasonCodes() {
        #expect(ConnectionError.timedOut(operation: "connect").reason == .timeout)
        #expect(ConnectionError.frame(.oversized(length: 9, maximum: 1)).reason == .protocolViolation)
        #expect(ConnectionError.frame(.truncated(have: 1, need: 4)).reason == .remoteClosed)
        #expect(ConnectionError.slowPeer(buffered: 1).reason == .slowPeer)
        #expect(ConnectionError.reactorStopped.reason == .shutdown)
    }

    @Test func everyCodeIsSnakeCaseAndStaged() {
        #expect(ReasonCode.all.count == 45, "\(ReasonCode.all.count)")
        for code in ReasonCode.all {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(code)")
            #expect(code.stage != nil)
        }
    }
}
