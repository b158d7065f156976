import Foundation
import Testing

@testable import Diagnostics
@testable import Wire

/// HTTP/1.1 as RFC 9110 and RFC 9112 say, checked on a real socket with real clients (curl,
/// Python's http.client) and, where clients refuse to send the bytes, a raw socket.
@Suite(.serialized) struct DebugEndpointProtocolTests {
    typealias Fixture = DebugEndpointFixture

    // RFC 9110 §9.3.2: HEAD's answer has no content; a body sent anyway would be read as the
    // start of the next response on a kept-alive connection (the issue: 63 stray bytes).
    @Test func head_hasNoBody_andTheNextResponseOnTheConnectionIsIntact() async throws {
        try await Fixture.with(tools: true) { address in
            var client = try await RawHTTPClient.open(address)
            try await client.send(
                "HEAD /health HTTP/1.1\r\nHost: \(address)\r\n\r\nGET /health HTTP/1.1\r\nHost: \(address)\r\n\r\n")
            let head = try #require(try await client.response(bodyless: true))
            let get = try #require(try await client.response())
            #expect(head.status == 200 && get.status == 200)
            #expect(head.header("content-length") == get.header("content-length"))
            #expect((try? jsonObject(get.body))?["status"] as? String == "ok")
            await client.close()
            guard hasTool("python3") else { return }
            let script = """
                import http.client
                c = http.client.HTTPConnection("\(address.ip)", \(address.port), timeout=5)
                c.request("HEAD", "/health"); r = c.getresponse(); b = r.read()
                print(r.status, r.getheader("Content-Length"), len(b))
                c.request("GET", "/health"); r = c.getresponse(); b = r.read()
                print(r.status, r.getheader("Content-Length"), len(b))
                """
            let (status, output) = try await runTool(["python3", "-c", script])
            let lines = output.split(separator: "\n").map { $0.split(separator: " ") }
            #expect(status == 0 && lines.count == 2, "\(output)")
            #expect(lines.first?[2] == "0" && lines.last?[0] == "200" && lines.first?[1] == lines.last?[1], "\(output)")
        }
    }

    // RFC 9110 §7.6.1: Connection is a list of options, case-insensitive; `close` among
    // them ends the connection after the response.
    @Test func closeInAConnectionTokenList_closesTheConnection() async throws {
        try await Fixture.with({ $0.idleTimeout = .seconds(30) }) { address in
            for value in ["keep-alive, close", "Upgrade,CLOSE"] {
                var client = try await RawHTTPClient.open(address)
                try await client.send(Fixture.get("/health", address, extra: "Connection: \(value)\r\n"))
                let response = try #require(try await client.response())
                #expect(response.status == 200)
                #expect(response.header("connection") == "close")
                #expect(await client.closedByServer(within: .seconds(5)), "\(value)")
                await client.close()
            }
        }
    }

    // RFC 9112 §3.2: Host is required exactly once in HTTP/1.1 (400 otherwise).
    @Test func http11WithoutHostOrWithTwo_is400_andHTTP10WithoutHostIsServed() async throws {
        try await Fixture.with { address in
            for request in [
                "GET /health HTTP/1.1\r\n\r\n", "GET /health HTTP/1.1\r\nHost: \(address)\r\nHost: \(address)\r\n\r\n",
            ] {
                var client = try await RawHTTPClient.open(address)
                try await client.send(request)
                #expect(try await client.response()?.status == 400, "\(request.debugDescription)")
                await client.close()
            }
            var client = try await RawHTTPClient.open(address)
            try await client.send("GET /health HTTP/1.0\r\n\r\n")
            #expect(try await client.response()?.status == 200)
            #expect(await client.closedByServer(within: .seconds(5)))  // 1.0 without keep-alive
            await client.close()
        }
    }

    // RFC 9110 §15.5.6: 405 carries Allow. No CORS headers: a preflight gets nothing to act on.
    @Test func wrongMethod_is405WithAllow_optionsHasNoCORS_andEveryAnswerHasADate() async throws {
        guard hasTool("curl") else { return }
        try await Fixture.with(tools: true) { address in
            let (_, delete) = try await runTool([
                "curl", "-si", "--max-time", "5", "-X", "DELETE", "http://\(address)/metrics",
            ])
            #expect(delete.hasPrefix("HTTP/1.1 405"), "\(delete)")
            #expect(delete.lowercased().contains("allow: get, head\r\n"), "\(delete)")
            let (_, options) = try await runTool([
                "curl", "-si", "--max-time", "5", "-X", "OPTIONS", "-H", "Origin: https://evil.example",
                "-H", "Access-Control-Request-Method: POST", "http://\(address)/api/p2p/connect",
            ])
            #expect(options.hasPrefix("HTTP/1.1 4"), "\(options)")
            #expect(!options.lowercased().contains("access-control-"), "\(options)")
            // RFC 9110 §6.6.1: an origin server with a clock sends Date, as IMF-fixdate.
            let (_, health) = try await runTool(["curl", "-si", "--max-time", "5", "http://\(address)/health"])
            let date = health.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("date: ") }
            let pattern =
                #"^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$"#
            #expect(date?.range(of: pattern, options: .regularExpression) != nil, "\(health)")
        }
    }

    // RFC 9112 §3.2.2: a server MUST accept absolute-form; its authority stands for Host,
    // and is checked like Host. curl sends absolute-form when told to use a proxy.
    @Test func absoluteFormTarget_isAccepted_andItsAuthorityIsChecked() async throws {
        guard hasTool("curl") else { return }
        try await Fixture.with(tools: true) { address in
            let (_, ours) = try await runTool([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "-x", "http://\(address)",
                "http://\(address)/health",
            ])
            #expect(ours == "200")
            let (_, rebound) = try await runTool([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "-x", "http://\(address)",
                "http://rebind.evil.example:\(address.port)/health",
            ])
            #expect(rebound == "421")
        }
    }

    // RFC 9112 §7.1: a chunked request body is decoded (Python sends one with
    // encode_chunked); Content-Length with Transfer-Encoding is 400, another coding 501.
    @Test func chunkedRequestBodies_areDecoded_andBadFramingRefused() async throws {
        try await Fixture.with(tools: true) { address in
            if hasTool("python3") {
                let script = """
                    import http.client, json
                    c = http.client.HTTPConnection("\(address.ip)", \(address.port), timeout=5)
                    parts = iter([b'{"peer_addr":', b'"1.2.3.4:7071", ', b'"persist": true}'])
                    c.request("POST", "/api/p2p/connect", body=parts, encode_chunked=True, headers={
                        "Content-Type": "application/json", "Authorization": "Bearer \(Fixture.cookie)"})
                    r = c.getresponse(); body = json.loads(r.read())
                    print(r.status, body["peer_addr"], body["persist"])
                    """
                let (_, output) = try await runTool(["python3", "-c", script])
                #expect(output == "200 1.2.3.4:7071 True\n", "\(output)")
            }
            let post = "POST /api/p2p/connect HTTP/1.1\r\nHost: \(address)\r\nContent-Type: application/json\r\n"
            for (framing, status) in [
                ("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400),
                ("Transfer-Encoding: gzip, chunked\r\n", 501),
            ] {
                var client = try await RawHTTPClient.open(address)
                try await client.send(post + framing + "\r\n0\r\n\r\n")
                #expect(try await client.response()?.status == status, "\(framing)")
                #expect(await client.closedByServer(within: .seconds(5)))
                await client.close()
            }
        }
    }

    // RFC 9112 §2.2: a recipient MAY accept a bare LF as line terminator; the endpoint does,
    // so such a request is answered at once instead of waiting out its deadline.
    @Test func bareLFRequest_isAnsweredAtOnce() async throws {
        try await Fixture.with({ $0.requestTimeout = .seconds(60) }) { address in
            var client = try await RawHTTPClient.open(address)
            try await client.send("GET /health HTTP/1.1\nHost: \(address)\n\n")
            #expect(try await client.response(within: .seconds(5))?.status == 200)
            await client.close()
        }
    }

    // RFC 9110 §10.1.1: a server that receives 100-continue sends 100 before reading the
    // body (curl waits for it, here for up to 30 s, past the 5 s it is given); any other
    // expectation is 417.
    @Test func expect100Continue_getsTheInterimResponseFirst() async throws {
        try await Fixture.with(tools: true) { address in
            let body = "{\"peer_addr\":\"1.2.3.4:7071\"}"
            var client = try await RawHTTPClient.open(address)
            try await client.send(
                "POST /api/p2p/connect HTTP/1.1\r\nHost: \(address)\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer \(Fixture.cookie)\r\nExpect: 100-continue\r\n"
                    + "Content-Length: \(body.utf8.count)\r\n\r\n")
            #expect(try await client.response()?.status == 100)
            try await client.send(body)
            #expect(try await client.response()?.status == 200)
            try await client.send(Fixture.get("/health", address, extra: "Expect: teapot\r\n"))
            #expect(try await client.response()?.status == 417)
            await client.close()
            guard hasTool("curl") else { return }
            let (_, code) = try await runTool([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--expect100-timeout", "30",
                "-H", "Expect: 100-continue", "-H", "Content-Type: application/json", "-H",
                "Authorization: Bearer \(Fixture.cookie)", "-d", body, "http://\(address)/api/p2p/connect",
            ])
            #expect(code == "200")
        }
    }

    // 431 for a header section over the limit (RFC 6585), 413 for a body; 505 for HTTP/2.0.
    @Test func oversizedHeaders431_oversizedBodies413_andOtherMajorVersions505() async throws {
        try await Fixture.with { address in
            for (request, status) in [
                (Fixture.get("/health", address, extra: "X: \(String(repeating: "a", count: 20_000))\r\n"), 431),
                ("POST /api/p2p/connect HTTP/1.1\r\nHost: \(address)\r\nContent-Length: 100000\r\n\r\n", 413),
                ("GET /health HTTP/2.0\r\nHost: \(address)\r\n\r\n", 505),
            ] {
                var client = try await RawHTTPClient.open(address)
                try await client.send(request)
                #expect(try await client.response()?.status == status, "\(request.prefix(60).debugDescription)")
                await client.close()
            }
        }
    }
}
