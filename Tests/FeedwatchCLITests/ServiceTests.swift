import Foundation
import Glibc
import TestSupport
import Testing

/// `feedwatch run` under a pretend service manager: the test binds the `NOTIFY_SOCKET` itself and
/// reads what the real binary says on it, and reads its stderr as journald would.
@Suite struct ServiceTests {
    /// A Unix datagram socket the test listens on (a path, or an abstract name).
    final class NotifySocket {
        let fd: Int32
        let name: String

        init(abstract: Bool) throws {
            let id = UUID().uuidString.prefix(12)
            name = abstract ? "@feedwatch-test-\(id)" : FileManager.default.temporaryDirectory.appendingPathComponent("fw-notify-\(id)").path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(name.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
                if abstract { raw[0] = 0 }
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
            let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            try #require(rc == 0, "bind: \(String(cString: strerror(errno)))")
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            if !name.hasPrefix("@") { unlink(name) }
        }

        /// Datagrams received so far (each one message of `KEY=value` lines).
        var messages: [String] = []

        func drain() {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { return }
                messages.append(String(decoding: buffer[..<n], as: UTF8.self))
            }
        }

        func wait(for what: String, seconds: Double = 15, _ condition: ([String]) -> Bool) throws {
            let deadline = Date().addingTimeInterval(seconds)
            repeat { drain() } while !condition(messages) && Date() < deadline
            try #require(condition(messages), "timed out waiting for \(what); got \(messages)")
        }
    }

    private func setUp() throws -> (dir: URL, config: URL) {
        let dir = try BinaryRunner.temporaryDirectory()
        try Data("<rss version=\"2.0\"><channel><title>L</title><item><guid>1</guid><title>Police news</title></item></channel></rss>".utf8)
            .write(to: dir.appendingPathComponent("local.xml"))
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            first_fetch_window: all
            poll: {interval: 1h}
            feeds:
              - url: local.xml
              - url: missing.xml
            topics:
              police: police
            sinks:
              - file: {path: alerts.jsonl}
            """.utf8).write(to: config)
        return (dir, config)
    }

    private func start(_ config: URL, environment: [String: String], stderr: URL) throws -> Process {
        let process = Process()
        process.executableURL = BinaryRunner.binary
        process.arguments = ["run", "--config", config.path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        try Data().write(to: stderr)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test(arguments: [false, true])
    func notifiesReadyStatusWatchdogReloadAndStopping(abstract: Bool) throws {
        let (dir, config) = try setUp()
        let socket = try NotifySocket(abstract: abstract)
        let log = dir.appendingPathComponent("stderr")
        let process = try start(config, environment: ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "600000"], stderr: log)
        defer { if process.isRunning { process.terminate() } }

        try socket.wait(for: "READY") { $0.contains { $0.contains("READY=1") } }
        try socket.wait(for: "a STATUS after the first cycle") { $0.contains { $0.contains("STATUS=polling 2 feeds, 1 failing, outbox 0") } }
        // Keep-alives every 0.3 s (half of WATCHDOG_USEC) while idle.
        let before = socket.messages.filter { $0 == "WATCHDOG=1" }.count
        Thread.sleep(forTimeInterval: 1.5)
        socket.drain()
        #expect(socket.messages.filter { $0 == "WATCHDOG=1" }.count - before >= 3)

        // A reload: RELOADING with the monotonic clock, then READY again.
        kill(process.processIdentifier, SIGHUP)
        try socket.wait(for: "RELOADING") { $0.contains { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") } }
        try socket.wait(for: "READY after the reload") { $0.last { $0.contains("READY=1") }?.contains("STATUS=reloaded") == true }

        // A broken config: the old one keeps running, and STATUS says why.
        try Data("topics: [\n".utf8).write(to: config)
        kill(process.processIdentifier, SIGHUP)
        try socket.wait(for: "the failed reload's status") { $0.contains { $0.contains("READY=1") && $0.contains("reload failed, running the previous config") } }
        #expect(process.isRunning)

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        try socket.wait(for: "STOPPING") { $0.contains { $0.hasPrefix("STOPPING=1") } }
    }

    /// A poll cycle waiting on a slow server keeps the watchdog fed (the store answers meanwhile).
    @Test func theWatchdogIsFedDuringASlowCycle() throws {
        let server = try FeedServer()
        let dir = try BinaryRunner.temporaryDirectory()
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            poll: {interval: 1h, timeout: 8s}
            feeds:
              - url: '\(server.url("/drip"))'
            topics:
              police: police
            """.utf8).write(to: config)
        let socket = try NotifySocket(abstract: true)
        let process = try start(config, environment: ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "2000000"],
                                stderr: dir.appendingPathComponent("stderr"))
        defer { if process.isRunning { process.terminate() } }
        try socket.wait(for: "READY") { $0.contains { $0.contains("READY=1") } }
        // The first cycle waits ~4 s on a server that drips a byte a second (cut off by the
        // low-speed limit); keep-alives (every second here) go on meanwhile.
        try socket.wait(for: "the cycle's STATUS", seconds: 20) { $0.contains { $0.hasPrefix("STATUS=polling") } }
        let beforeStatus = socket.messages.prefix { !$0.hasPrefix("STATUS=polling") }
        #expect(beforeStatus.filter { $0 == "WATCHDOG=1" }.count >= 3, "\(socket.messages)")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    /// Under journald (`JOURNAL_STREAM` set) every line starts with its syslog priority.
    @Test func journalLinesCarryTheirPriority() throws {
        let (dir, config) = try setUp()
        let log = dir.appendingPathComponent("stderr")
        let process = try start(config, environment: ["JOURNAL_STREAM": "8:12345"], stderr: log)
        defer { if process.isRunning { process.terminate() } }
        func lines() -> [String] { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        for _ in 0..<100 where !lines().contains(where: { $0.hasPrefix("<4>") }) { Thread.sleep(forTimeInterval: 0.1) }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let all = lines()
        #expect(all.contains { $0.hasPrefix("<6>started: 2 feeds") }, "\(all)")
        #expect(all.contains { $0.hasPrefix("<4>") && $0.contains("missing.xml") && $0.contains("feed.url=") }, "\(all)")
        #expect(all.allSatisfy { $0.hasPrefix("<") }, "\(all)")
        // Without it: readable lines.
        let plain = try start(config, environment: ["JOURNAL_STREAM": ""], stderr: log)
        for _ in 0..<100 where !lines().contains(where: { $0.contains("started") }) { Thread.sleep(forTimeInterval: 0.1) }
        kill(plain.processIdentifier, SIGTERM)
        plain.waitUntilExit()
        #expect(lines().contains { $0.hasPrefix("feedwatch: started: 2 feeds") }, "\(lines())")
    }
}
