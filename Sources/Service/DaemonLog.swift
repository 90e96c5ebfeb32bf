internal import Glibc
public import Logging

/// Log lines for people and for journald. Under systemd (`$JOURNAL_STREAM` is set when stderr
/// is the journal) each line starts with its syslog priority, `<3>` error, `<4>` warning,
/// `<6>` info, `<7>` debug, which journald strips and files the line under; otherwise the line is
/// `feedwatch: warning: …`. Metadata follows the message as `key=value` pairs (`feed.url=…`),
/// sorted, so lines stay greppable.
public struct DaemonLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let journal: Bool

    public init(journal: Bool) { self.journal = journal }

    /// Installs the handler for the process: journald's format when `$JOURNAL_STREAM` is set.
    public static func bootstrap(environment: [String: String]) {
        let journal = environment["JOURNAL_STREAM"].map { !$0.isEmpty } ?? false
        let level = environment["FEEDWATCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { _ in
            var handler = DaemonLogHandler(journal: journal)
            handler.logLevel = level
            return handler
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let text = "\(event.message)" + (pairs.isEmpty ? "" : " " + pairs.joined(separator: " "))
        let line = journal ? "<\(Self.priority(event.level))>\(text)\n" : "feedwatch: \(Self.label(event.level))\(text)\n"
        let bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress! + offset, bytes.count - offset) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
            offset += n
        }
    }

    /// syslog(3) priorities.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func label(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug: "
        case .info, .notice: ""
        case .warning: "warning: "
        case .error, .critical: "error: "
        }
    }
}
