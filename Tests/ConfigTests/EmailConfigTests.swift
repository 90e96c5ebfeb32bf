import Config
import Testing

/// The `email` sink's settings: the contract's example, and errors with their place in the file.
@Suite struct EmailConfigTests {
    private func errors(_ yaml: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml, file: "c.yaml")
            Issue.record("config loaded but should not have")
            return []
        } catch {
            return error.errors.map { "\($0.line ?? 0):\($0.column ?? 0) \($0.message)" }
        }
    }

    @Test func readsTheContractExample() throws {
        let c = try ConfigLoader.parse("""
            sinks:
              - email: {url: smtp://mail.example.org:587, from: feedwatch@example.org, to: [desk@example.org],
                        username_env: SMTP_USER, password_env: SMTP_PASSWORD, every: 1h}
              - email: {url: 'smtps://mail.example.org', from: a@example.org, to: b@example.org, starttls: required, timeout: 5s}
            """, file: "/etc/fw/feedwatch.yaml")
        #expect(c.sinks[0].kind == .email(.init(url: "smtp://mail.example.org:587", from: "feedwatch@example.org", to: ["desk@example.org"],
                                                 usernameEnv: "SMTP_USER", passwordEnv: "SMTP_PASSWORD", everySeconds: 3_600)))
        #expect(c.sinks[0].retry == SinkConfig.Retry(timeout: 30))
        #expect(c.sinks[1].kind == .email(.init(url: "smtps://mail.example.org", from: "a@example.org", to: ["b@example.org"], starttls: .required)))
        #expect(c.sinks[1].retry.timeout == 5)
    }

    @Test func errorsNameTheSettingAndItsPlace() {
        #expect(errors("sinks:\n  - email: {url: 'http://mail.example.org', from: a@example.org, to: [b@example.org]}\n")
            == ["2:18 sinks[0].email.url: \"http://mail.example.org\" is not an smtp:// or smtps:// URL with a host"])
        #expect(errors("sinks:\n  - email: {url: 'smtp://m.example.org', from: 'a@b@example.org', to: [b@example.org, 'x>y@example.org']}\n")
            == ["2:48 sinks[0].email.from: \"a@b@example.org\" is not an e-mail address (name@example.org)",
                "2:87 sinks[0].email.to: \"x>y@example.org\" is not an e-mail address (name@example.org)"])
        #expect(errors("sinks:\n  - email: {url: 'smtp://m.example.org', to: [b@example.org]}\n")
            == ["2:12 sinks[0].email: needs from"])
        #expect(errors("sinks:\n  - email: {url: 'smtp://m.example.org', from: a@example.org, to: [], username_env: U}\n")
            == ["2:67 sinks[0].email.to: needs at least one address", "2:85 sinks[0].email: username_env and password_env go together (AUTH needs both)"])
        #expect(errors("sinks:\n  - email: {url: 'smtp://m.example.org', from: a@example.org, to: b@example.org, starttls: always}\n")
            == ["2:92 sinks[0].email.starttls: \"always\" is not one of auto, required"])
        #expect(errors("sinks:\n  - email: {url: 'smtp://m.example.org', from: a@example.org, to: b@example.org, secret_env: X}\n").count == 1)
    }
}
