import Foundation
import Testing

/// `make install` / `make uninstall` into a temporary prefix, and the installed unit through
/// systemd's own checks.
@Suite struct InstallTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func shell(_ command: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = Self.repository
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("fw-install-\(UUID().uuidString)")
        try Data().write(to: out)
        defer { try? FileManager.default.removeItem(at: out) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = process.standardOutput
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: out), as: UTF8.self))
    }

    @Test func installsAVerifiedHardenedUnitAndUninstallsCleanly() throws {
        let root = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let vars = "BIN='\(BinaryRunner.binary.path)' PREFIX='\(root.path)/usr' SYSCONFDIR='\(root.path)/etc'"
        let install = try shell("make -s install-files \(vars)")
        try #require(install.status == 0, "\(install.output)")
        let unit = root.appendingPathComponent("etc/systemd/system/feedwatch.service")
        for path in ["usr/bin/feedwatch", "usr/bin/feedwatch-web", "usr/share/man/man1/feedwatch.1", "usr/share/man/man5/feedwatch.yaml.5",
                     "etc/logrotate.d/feedwatch", "etc/feedwatch/feedwatch.yaml", "usr/share/doc/feedwatch/feedwatch.example.yaml"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "\(path)")
        }
        let text = try String(contentsOf: unit, encoding: .utf8)
        #expect(text.contains("ExecStart=\(root.path)/usr/bin/feedwatch run --config \(root.path)/etc/feedwatch/feedwatch.yaml"))

        // systemd's checks: the unit file is valid (its binary and man pages exist) and rates "OK".
        let verify = try shell("systemd-analyze verify '\(unit.path)'", environment: ["MANPATH": root.path + "/usr/share/man"])
        #expect(verify.status == 0 && verify.output.isEmpty, "\(verify.output)")
        let security = try shell("systemd-analyze security --offline=true '\(unit.path)'")
        let score = security.output.split(separator: "\n").last { $0.contains("Overall exposure level") }
        let value = score.flatMap { line in line.split(separator: " ").compactMap { Double($0) }.last }
        #expect(value.map { $0 <= 2.0 } == true && score?.contains("OK") == true, "\(security.output.suffix(300))")
        // The installed config is valid as shipped.
        #expect(try BinaryRunner.run(["check-config", "--config", root.appendingPathComponent("etc/feedwatch/feedwatch.yaml").path]).status == 0)

        // A second install keeps an edited config; uninstall removes everything else and keeps it.
        let config = root.appendingPathComponent("etc/feedwatch/feedwatch.yaml")
        try Data("feeds: []\n".utf8).write(to: config)
        #expect(try shell("make -s install-files \(vars)").status == 0)
        #expect(try String(contentsOf: config, encoding: .utf8) == "feeds: []\n")
        #expect(try shell("make -s uninstall \(vars)").status == 0)
        let left = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }
            .filter { !((try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent($0).path)[.type] as? FileAttributeType) == .typeDirectory) }
        #expect(left == ["etc/feedwatch/feedwatch.yaml"])
        // An unedited config goes with the rest.
        #expect(try shell("make -s install-files \(vars) && rm '\(config.path)' && make -s install-files \(vars) && make -s uninstall \(vars)").status == 0)
        #expect(!FileManager.default.fileExists(atPath: config.path))
    }

    /// The installed example works where it is installed: its sample feeds beside it, its store
    /// and alerts under the user's ~/.local/state/feedwatch, made on the first run.
    @Test func theInstalledExampleWorksWhereItIsInstalled() throws {
        let root = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let install = try shell("make -s install-files BIN='\(BinaryRunner.binary.path)' PREFIX='\(root.path)/usr' SYSCONFDIR='\(root.path)/etc'")
        try #require(install.status == 0, "\(install.output)")
        let example = root.appendingPathComponent("usr/share/doc/feedwatch/feedwatch.example.yaml").path
        let home = root.appendingPathComponent("home").path
        let check = try BinaryRunner.run(["check-config", "--config", example], environment: ["HOME": home])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("state: \(home)/.local/state/feedwatch/feedwatch.sqlite\n"), "\(check.stdout)")
        #expect(check.stdout.contains("\(root.path)/usr/share/doc/feedwatch/samples/press-review.xml"), "\(check.stdout)")
        let once = try BinaryRunner.run(["once", "--config", example], environment: ["HOME": home])
        #expect(once.status == 0, "\(once.stderr)")
        let alerts = try String(contentsOfFile: home + "/.local/state/feedwatch/alerts.jsonl", encoding: .utf8)
        #expect(alerts.split(separator: "\n").count >= 2)
    }
}
