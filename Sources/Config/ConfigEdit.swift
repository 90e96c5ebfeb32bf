/// Edits of the config file's text that keep everything else as written — comments, order,
/// quoting, blank lines — for `feedwatch add`. A pure function of the text: the caller checks the
/// result by loading it before it replaces the file.
public enum ConfigEdit {
    /// `text` with `- {url: '…', name: '…'}` appended to the `feeds:` list: after its last entry,
    /// indented like the entries already there; `feeds: []` becomes a block list; a config with
    /// no `feeds:` gets one at the end.
    public static func appendingFeed(to text: String, url: String, name: String?) -> String {
        let entry = "{url: \(quoted(url))" + (name.map { ", name: \(quoted($0))" } ?? "") + "}"
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trailingNewline = text.hasSuffix("\n")
        if trailingNewline { lines.removeLast() }
        guard let header = lines.firstIndex(where: { isTopLevelKey($0, "feeds") }) else {
            return (lines + ["feeds:", "  - \(entry)"]).joined(separator: "\n") + "\n"
        }
        let value = lines[header].drop { $0 != ":" }.dropFirst().trimmingPrefix(" ")
        let valueText = String(value.split(separator: "#", maxSplits: 1).first ?? "").trimmingCharacters(" \t")
        // A comment after the value stays where it was.
        let comment = value.firstIndex(of: "#").map { "  " + value[$0...] } ?? ""
        if valueText == "[]" || valueText.isEmpty && !hasBlock(lines, after: header) {
            lines[header] = "feeds:" + comment
            lines.insert("  - \(entry)", at: header + 1)
            return lines.joined(separator: "\n") + (trailingNewline ? "\n" : "")
        }
        if valueText.hasPrefix("[") && valueText.hasSuffix("]") {
            // A one-line flow list: the entry joins it.
            let inner = valueText.dropFirst().dropLast().trimmingCharacters(" ")
            lines[header] = "feeds: [" + (inner.isEmpty ? "" : inner + ", ") + entry + "]" + comment
            return lines.joined(separator: "\n") + (trailingNewline ? "\n" : "")
        }
        // A block list: its entries are the lines after the header up to the next top-level key.
        var end = header + 1
        var lastEntry = header
        var indent = "  "
        while end < lines.count {
            let line = lines[end]
            let trimmed = line.trimmingCharacters(" \t")
            if !trimmed.isEmpty && !line.hasPrefix(" ") && !line.hasPrefix("\t") && !line.hasPrefix("-") && !trimmed.hasPrefix("#") { break }
            if !trimmed.isEmpty && !trimmed.hasPrefix("#") {
                lastEntry = end
                if trimmed.hasPrefix("- ") || trimmed == "-" { indent = String(line.prefix { $0 == " " || $0 == "\t" }) }
            }
            end += 1
        }
        lines.insert(indent + "- " + entry, at: lastEntry + 1)
        return lines.joined(separator: "\n") + (trailingNewline ? "\n" : "")
    }

    /// A YAML single-quoted scalar (`'` doubled), which takes any text on one line.
    static func quoted(_ s: String) -> String {
        "'" + s.replacingAll("'", with: "''").filter { $0 != "\n" && $0 != "\r" } + "'"
    }

    private static func isTopLevelKey(_ line: String, _ key: String) -> Bool {
        line.hasPrefix(key + ":")
    }

    private static func hasBlock(_ lines: [String], after header: Int) -> Bool {
        for line in lines[(header + 1)...] {
            let trimmed = line.trimmingCharacters(" \t")
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            return line.hasPrefix(" ") || line.hasPrefix("\t") || line.hasPrefix("-")
        }
        return false
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }

    fileprivate func trimmingPrefix(_ c: Character) -> SubSequence {
        self.drop { $0 == c }
    }

    fileprivate func replacingAll(_ a: Character, with b: String) -> String {
        var out = ""
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}
