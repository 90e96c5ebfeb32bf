import Foundation
import TestSupport
import Testing

/// A fleet's store over TLS with a password, through the real binary: a cluster of its own with
/// `ssl = on` (a self-signed certificate for 127.0.0.1 made here by `openssl req -x509`) that
/// takes password logins over TLS only. `once` connects with `sslmode=verify-full` and
/// `sslmode=require`, its password from `${VAR}` in the URI, `PGPASSWORD` or `~/.pgpass`; a
/// certificate that does not name the host, and a connection without TLS, are refused with a
/// message that names the store without its password.
@Suite(.serialized) struct FleetTLSTests {
    static let enabled = PostgresCluster.skipReason == nil || PostgresCluster.required
    private static let password = "s3cret-fleet-pw"

    private let dir: URL
    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    /// A key and a self-signed certificate naming 127.0.0.1 only (no DNS name).
    private func makeCertificate() throws -> (certificate: String, key: String, path: String) {
        let cert = dir.appendingPathComponent("server.crt").path, key = dir.appendingPathComponent("server.key").path
        let r = try BinaryRunner.runProcess("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        try #require(r.status == 0, "openssl: \(r.stderr)")
        return (try String(contentsOfFile: cert, encoding: .utf8), try String(contentsOfFile: key, encoding: .utf8), cert)
    }

    private func feed(_ titles: [String]) throws {
        let items = titles.enumerated().map { "<item><guid>g\($0.offset)</guid><title>\($0.element)</title></item>" }.joined()
        try Data("<rss version=\"2.0\"><channel><title>Local</title>\(items)</channel></rss>".utf8).write(to: dir.appendingPathComponent("local.xml"))
    }

    private func config(state: String) throws -> String {
        let file = dir.appendingPathComponent("feedwatch-\(UUID().uuidString.prefix(6)).yaml")
        try Data("""
            state: "\(state)"
            node: tls-node
            first_fetch_window: all
            feeds:
              - url: local.xml
            topics:
              police: police
            sinks:
              - file: {path: \(dir.appendingPathComponent("alerts.jsonl").path)}
            """.utf8).write(to: file)
        return file.path
    }

    private var alerts: Int {
        ((try? String(contentsOf: dir.appendingPathComponent("alerts.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test(.enabled(if: enabled, Comment(rawValue: PostgresCluster.skipReason ?? "")), .timeLimit(.minutes(2)))
    func onceConnectsOverVerifiedTLSWithAPasswordFromEachSource() throws {
        let (certificate, key, rootCert) = try makeCertificate()
        let cluster = try PostgresCluster.start(.init(tcp: true, tls: (certificate, key), hba: [
            "local all all trust",                                  // the test's own psql, on the socket
            "hostssl all all 127.0.0.1/32 scram-sha-256",          // nodes: TLS and a password, nothing else
        ]))
        _ = try cluster.psql(cluster.uri(database: "postgres"), "CREATE ROLE fleet LOGIN PASSWORD '\(Self.password)'")
        let created = try cluster.createDatabase("tls", owner: "fleet")  // postgresql://postgres@/NAME?host=…
        let database = try #require(created.components(separatedBy: "@/").last?.components(separatedBy: "?").first)
        let port = try #require(cluster.port)
        let base = "postgresql://fleet@127.0.0.1:\(port)/\(database)"
        let noPassword: [String: String?] = ["PGPASSWORD": nil, "PGPASSFILE": nil, "HOME": dir.path]

        // verify-full against our root, the password from ${VAR} in the URI: the item alerts.
        try feed(["Police report"])
        let verified = try config(state: "postgresql://fleet:${FW_TEST_PG_PASSWORD}@127.0.0.1:\(port)/\(database)?sslmode=verify-full&sslrootcert=\(rootCert)")
        var r = try BinaryRunner.run(["once", "--config", verified], cwd: dir, environment: noPassword.merging(["FW_TEST_PG_PASSWORD": Self.password]) { $1 })
        #expect(r.status == 0, "\(r.stderr)")
        #expect(alerts == 1)
        // The session really is encrypted: the server says so for this node's connections.
        let ssl = try cluster.psql(cluster.uri(database: "postgres"),
                                   "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'fleet' AND NOT s.ssl")
        #expect(ssl.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // sslmode=require, the password from PGPASSWORD.
        try feed(["Police report", "Police again"])
        r = try BinaryRunner.run(["once", "--all", "--config", try config(state: base + "?sslmode=require")],
                                 environment: noPassword.merging(["PGPASSWORD": Self.password]) { $1 })
        #expect(r.status == 0, "\(r.stderr)")
        #expect(alerts == 2, "the store is the same one: only the new item alerts; \(r.stdout) \(r.stderr)")

        // verify-full, the password from ~/.pgpass (HOME is the test's directory; 0600, as libpq wants).
        let pgpass = dir.appendingPathComponent(".pgpass")
        try Data("127.0.0.1:\(port):\(database):fleet:\(Self.password)\n".utf8).write(to: pgpass)
        chmod(pgpass.path, 0o600)
        r = try BinaryRunner.run(["status", "--config", try config(state: base + "?sslmode=verify-full&sslrootcert=\(rootCert)")], environment: noPassword)
        #expect(r.status == 0, "\(r.stderr)")
        try FileManager.default.removeItem(at: pgpass)

        // A certificate that does not name the host connected to ("localhost" is not 127.0.0.1
        // to verify-full): refused, saying why, the store named without its password.
        let mismatch = try config(state: "postgresql://fleet:${FW_TEST_PG_PASSWORD}@localhost:\(port)/\(database)?sslmode=verify-full&sslrootcert=\(rootCert)")
        r = try BinaryRunner.run(["once", "--all", "--config", mismatch], cwd: dir, environment: noPassword.merging(["FW_TEST_PG_PASSWORD": Self.password]) { $1 })
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("cannot open the store") && r.stderr.contains("does not match host name"), "\(r.stderr)")
        #expect(r.stderr.contains("fleet:***@localhost:\(port)/\(database)"), "\(r.stderr)")
        #expect(!r.stderr.contains(Self.password), "the password leaked: \(r.stderr)")
        #expect(!r.stdout.contains(Self.password), "the password leaked: \(r.stdout)")
        // Nor is it written anywhere as a path (a URI once taken for the store's directory was).
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("postgresql:").path), "a directory named after the URI was made")

        // Without TLS the server has no entry for it; with a wrong password, no login.
        r = try BinaryRunner.run(["once", "--all", "--config", try config(state: base + "?sslmode=disable")],
                                 environment: noPassword.merging(["PGPASSWORD": Self.password]) { $1 })
        #expect(r.status == 1 && r.stderr.contains("no encryption"), "\(r.stderr)")
        r = try BinaryRunner.run(["once", "--all", "--config", try config(state: base + "?sslmode=require")],
                                 environment: noPassword.merging(["PGPASSWORD": "wrong"]) { $1 })
        #expect(r.status == 1 && r.stderr.contains("password authentication failed"), "\(r.stderr)")
        #expect(alerts == 2)
    }
}
