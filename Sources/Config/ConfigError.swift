/// A problem in the config, where it is: file, line and column (1-based, in Unicode scalars as
/// libyaml counts them), and the offending line with a caret under that column.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String
    /// The source line and a caret under the column, for `check-config`.
    public var excerpt: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String, excerpt: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.excerpt = excerpt
    }

    /// `file:line:column: message`, as compilers write it, so editors can jump to it.
    public var description: String {
        var where_ = file
        if let line { where_ += ":\(line)" }
        if let line = line, line > 0, let column { where_ += ":\(column)" }
        return "\(where_): \(message)"
    }
}

/// Every problem found in one config file: reading goes on past the first, so one
/// `check-config` run shows them all.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) { self.errors = errors }

    public var description: String {
        errors.isEmpty ? "no config file found" : errors.map(\.description).joined(separator: "\n")
    }
}
