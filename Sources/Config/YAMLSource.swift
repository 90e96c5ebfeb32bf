/// One config file's text and its YAML tree, with what every error needs: where a node is, and
/// the line it stands on.
struct YAMLSource {
    let file: String
    let text: String

    init(file: String, text: String) {
        self.file = file
        self.text = text
    }

    /// Split only when an error needs it: for a config listing 10,000 feeds, splitting up front
    /// cost a quarter of the whole load.
    private var lines: [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    /// The document's root, or the syntax error libyaml reports.
    func root() throws(ConfigError) -> YAMLNode? {
        do {
            return try YAMLComposer.compose(text)
        } catch {
            throw self.error("invalid YAML: \(error.message)", at: error.mark)
        }
    }

    func error(_ message: String, at mark: YAMLMark) -> ConfigError {
        error(message, line: mark.line, column: mark.column)
    }

    func error(_ message: String, line: Int, column: Int) -> ConfigError {
        ConfigError(file: file, line: line, column: column, message: message, excerpt: excerpt(line: line, column: column))
    }

    /// The source line and a caret under `column` (tabs kept, so the caret lines up in a terminal).
    func excerpt(line: Int, column: Int) -> String? {
        guard line >= 1, line <= lines.count else { return nil }
        let source = lines[line - 1].unicodeScalars.map { $0 == "\r" ? " " : String($0) }.joined()
        let pad = source.unicodeScalars.prefix(max(0, column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
        return source + "\n" + pad + "^"
    }

    /// Where the scalar character at `offset` (0-based, in Unicode scalars of the scalar's value)
    /// stands in the file. Walks the raw text from the node's mark, undoing the quoting and
    /// folding of its style; an offset it cannot follow maps to the scalar's start.
    func position(ofScalarOffset offset: Int, in scalar: YAMLScalar) -> (line: Int, column: Int)? {
        let mark = scalar.mark
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        var walker = ScalarWalker(lines: lines, line: mark.line - 1, style: scalar.style)
        walker.skipOpening(column: mark.column - 1)
        var produced = 0
        while produced < offset, walker.advance() { produced += 1 }
        guard produced == offset, let at = walker.position else { return (mark.line, mark.column) }
        return (at.line + 1, at.column + 1)
    }
}

/// Steps through a scalar's raw source one value character at a time.
private struct ScalarWalker {
    let lines: [[Unicode.Scalar]]
    var line: Int
    var column = 0
    let style: YAMLScalar.Style
    private var blockIndent = 0

    init(lines: [Substring], line: Int, style: YAMLScalar.Style) {
        self.lines = lines.map { Array($0.unicodeScalars) }
        self.line = line
        self.style = style
    }

    var position: (line: Int, column: Int)? {
        line < lines.count && column <= lines[line].count ? (line, column) : nil
    }

    private var current: Unicode.Scalar? {
        line < lines.count && column < lines[line].count ? lines[line][column] : nil
    }

    mutating func skipOpening(column start: Int) {
        column = start
        switch style {
        case .singleQuoted, .doubleQuoted:
            column += 1
        case .literal, .folded:
            // The value starts on the next line, at the block's indentation.
            line += 1
            column = 0
            while line < lines.count, lines[line].allSatisfy({ $0 == " " }) { line += 1 }
            if line < lines.count { blockIndent = lines[line].prefix { $0 == " " }.count }
            column = blockIndent
        default:
            break
        }
    }

    /// Moves past one value character; false at the scalar's end.
    mutating func advance() -> Bool {
        guard line < lines.count else { return false }
        if column >= lines[line].count {
            // A line break folds into one value character; the next line's indentation is not
            // part of the value.
            line += 1
            guard line < lines.count else { return false }
            column = style == .literal || style == .folded ? min(blockIndent, lines[line].count) : lines[line].prefix { $0 == " " || $0 == "\t" }.count
            return true
        }
        switch (style, current) {
        case (.singleQuoted, "'"):
            column += 2  // '' is one quote
        case (.doubleQuoted, "\\"):
            let next = column + 1 < lines[line].count ? lines[line][column + 1] : " "
            column += next == "x" ? 4 : next == "u" ? 6 : next == "U" ? 10 : 2
        default:
            column += 1
        }
        return true
    }
}
