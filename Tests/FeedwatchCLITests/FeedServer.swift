import Foundation

/// Runs `Tests/Servers/feed_server.py` on 127.0.0.1 for one test and stops it afterwards.
final class FeedServer {
    private let process = Process()
    /// Closing it tells the server to exit.
    private let lifeline = Pipe()
    private let log: URL
    let port: Int

    init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Servers/feed_server.py")
        log = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-server-\(UUID().uuidString).log")
        try Data().write(to: log)
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, BinaryRunner.fixtures.path]
        process.standardOutput = out
        process.standardInput = lifeline
        process.standardError = try FileHandle(forWritingTo: log)
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
            throw ServerError(message: "feed_server.py did not report a port")
        }
        self.port = port
    }

    deinit {
        try? lifeline.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The requests received so far, one line each: `GET /path | header: value; …`.
    var requests: [String] {
        (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    struct ServerError: Error {
        let message: String
    }
}
