extension SinkConfig {
    /// An `email` sink: alerts as mail through an SMTP server (`smtp://` with STARTTLS when
    /// offered, or `smtps://`), one mail per alert or, with `every`, one digest mail per period.
    public struct Email: Equatable, Sendable {
        public var url: String
        /// The envelope sender and `From:` address.
        public var from: String
        public var to: [String]
        /// Environment variables holding the AUTH user name and password (never in the file).
        public var usernameEnv: String?
        public var passwordEnv: String?
        /// `starttls: required` insists on STARTTLS; `auto` (the default) uses it when offered.
        public var starttls: StartTLS
        /// Seconds per digest mail; `nil`: one mail per alert.
        public var everySeconds: Int?

        public enum StartTLS: String, Equatable, Sendable, CaseIterable { case auto, required }

        public init(url: String, from: String, to: [String], usernameEnv: String? = nil, passwordEnv: String? = nil,
                    starttls: StartTLS = .auto, everySeconds: Int? = nil) {
            self.url = url
            self.from = from
            self.to = to
            self.usernameEnv = usernameEnv
            self.passwordEnv = passwordEnv
            self.starttls = starttls
            self.everySeconds = everySeconds
        }

        /// `name@domain`, one `@`, nothing an SMTP envelope or header could be broken with.
        public static func isAddress(_ text: String) -> Bool {
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[1].contains(".") || parts[1] == "localhost" else { return false }
            return text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"<>,;\"()[]\\".unicodeScalars.contains($0) }
        }
    }
}
