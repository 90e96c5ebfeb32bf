import FeedwatchCore
import Glibc
import FlyingFox
import FlyingSocks
import Foundation
import Logging
import Web
import Config

/// FlyingFox carrying `WebRoutes`: requests in, the routes' responses out. The decisions are all
/// in `WebRoutes`; here are only the limits a request must keep and the request log.
struct WebServer {
    let port: Int

    /// Longest request target (path and query) accepted; a page link is a few dozen bytes.
    static let maxTarget = 4_096

    static func start(settings: HTTPSettings, routes: WebRoutes, log: Logger) async throws -> WebServer {
        let host = settings.host == "localhost" ? "127.0.0.1" : settings.host
        func address(port: Int) throws -> any SocketAddress {
            host.contains(":") ? try sockaddr_in6.inet6(ip6: host, port: UInt16(port)) : try sockaddr_in.inet(ip4: host, port: UInt16(port))
        }
        func server(port: Int) throws -> HTTPServer {
            // `timeout`: a response not ready within it is answered 500 (a store stuck on a lock).
            HTTPServer(config: .init(address: try address(port: port), timeout: 15, pool: NoDelayPool(inner: HTTPServer.defaultPool()),
                                     logger: FlyingFoxLog(log: log)),
                       handler: ClosureHTTPHandler { request in
                let started = Monotonic.seconds()
                let response = Self.respond(request, routes)
                log.debug("\(request.method.rawValue) \(request.path) \(response.statusCode.code) \(Int((Monotonic.seconds() - started) * 1_000)) ms",
                          metadata: ["http.remote": "\(request.remoteAddress.map { "\($0)" } ?? "-")"])
                return response
            })
        }
        let first = try server(port: settings.port)
        let task = Task { try await first.run() }
        do {
            try await first.waitUntilListening(timeout: 5)
        } catch {
            task.cancel()
            // The reason (address in use, permission) is what `run` threw.
            _ = try await task.value
            throw error
        }
        var port = settings.port
        if let bound = await first.listeningAddress {
            switch bound {
            case .ip4(_, let p), .ip6(_, let p): port = Int(p)
            default: break
            }
        }
        // FlyingFox stops listening for good when an `accept` fails (out of file descriptors: a
        // flood of connections faster than `ConnectionWatch` closes them), leaving a process
        // that answers nothing — the connections it held are cancelled with it. So the server
        // listens again, on the port it had, a second later, for as long as the process lives.
        Task { [port] in
            var result = await task.result
            while true {
                if case .failure(let error) = result {
                    log.error("stopped accepting connections (\(error)): listening again in 1 s")
                }
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                do {
                    let again = try server(port: port)
                    result = await Task { try await again.run() }.result
                } catch {
                    result = .failure(error)
                }
            }
        }
        return WebServer(port: port)
    }

    private static func respond(_ request: HTTPRequest, _ routes: WebRoutes) -> HTTPResponse {
        // No endpoint takes a body, and no link needs a long target: refused before any work.
        if let length = request.headers[.contentLength], length != "0" {
            return plain(413, "Payload Too Large", "no endpoint takes a request body\n")
        }
        if request.headers[.transferEncoding] != nil { return plain(413, "Payload Too Large", "no endpoint takes a request body\n") }
        let target = request.path.utf8.count + request.query.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 }
        if target > maxTarget { return plain(414, "URI Too Long", "request target longer than \(maxTarget) bytes\n") }
        let out = routes.respond(WebRequest(method: request.method.rawValue, path: request.path,
                                            query: request.query.map { ($0.name, $0.value) },
                                            authorization: request.headers[.authorization]),
                                 now: Timestamp.now())
        var headers = HTTPHeaders()
        headers[.contentType] = out.contentType
        for (name, value) in out.headers { headers[HTTPHeader(name)] = value }
        return HTTPResponse(statusCode: HTTPStatusCode(out.status, phrase: phrase(out.status)), headers: headers,
                            body: request.method == .HEAD ? Data() : Data(out.body))
    }

    private static func plain(_ status: Int, _ phrase: String, _ text: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers[.contentType] = "text/plain; charset=utf-8"
        for (name, value) in WebRoutes.securityHeaders { headers[HTTPHeader(name)] = value }
        return HTTPResponse(statusCode: HTTPStatusCode(status, phrase: phrase), headers: headers, body: Data(text.utf8))
    }

    private static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// FlyingFox's socket pool, with Nagle's algorithm off on every socket it waits on. FlyingFox
/// writes a response's head and body in two writes; with Nagle on, the body waits for the
/// client's delayed ACK of the head — 40 ms on every request (measured: `/metrics` 44 ms median,
/// 4 ms without). The listening socket is among them, and Linux hands the option on to the
/// sockets it accepts; setting it again on those is one cheap system call.
struct NoDelayPool: AsyncSocketPool {
    let inner: any AsyncSocketPool
    func prepare() async throws { try await inner.prepare() }
    func run() async throws { try await inner.run() }
    func suspendSocket(_ socket: Socket, untilReadyFor events: Socket.Events) async throws {
        var on: Int32 = 1
        _ = setsockopt(socket.file.rawValue, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        try await inner.suspendSocket(socket, untilReadyFor: events)
    }
}

/// FlyingFox's own messages, through swift-log at debug (its connection chatter is no news).
struct FlyingFoxLog: FlyingSocks.Logging {
    let log: Logger
    func logDebug(_ debug: @autoclosure () -> String) { log.trace("\(debug())") }
    func logInfo(_ info: @autoclosure () -> String) { log.debug("\(info())") }
    func logWarning(_ warning: @autoclosure () -> String) { log.warning("\(warning())") }
    func logError(_ error: @autoclosure () -> String) { log.error("\(error())") }
    func logCritical(_ critical: @autoclosure () -> String) { log.critical("\(critical())") }
}
