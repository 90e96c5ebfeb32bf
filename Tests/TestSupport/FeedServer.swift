public import Foundation

/// Runs `Tests/Servers/feed_server.py` on 127.0.0.1 for one test and stops it afterwards.
public final class FeedServer {
    private let process = Process()
    /// Closing it tells the server to exit.
    private let lifeline = Pipe()
    private let logFile: URL
    public let port: Int

    /// The parse fixtures, which the server serves.
    public static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/parse")

    /// `script`: a server in `Tests/Servers` that prints its port on its first line, logs to
    /// stderr, and exits when its standard input closes.
    public init(script name: String = "feed_server.py", arguments: [String]? = nil, environment: [String: String] = [:]) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Servers/" + name)
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-server-\(UUID().uuidString).log")
        try Data().write(to: logFile)
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + (arguments ?? [Self.fixtures.path])
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        process.standardOutput = out
        process.standardInput = lifeline
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
        // The first line the server prints is its port.
        var line = Data()
        while !line.contains(0x0A) {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            try? lifeline.fileHandleForWriting.close()
            process.terminate()
            throw ServerError(message: "\(name) did not report a port")
        }
        self.port = port
    }

    deinit {
        try? lifeline.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: logFile)
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The requests received so far, one line each: `GET /path | header: value; …`.
    public var requests: [String] { self.log.filter { $0.hasPrefix("GET ") } }

    /// Everything the server logged: requests, and notes such as `in-flight N`.
    public var log: [String] {
        (try? String(contentsOf: logFile, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    public struct ServerError: Error {
        let message: String
    }
}
