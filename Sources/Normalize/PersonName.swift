/// Turns the many ways feeds write a person into a display name.
public enum PersonName {
    /// RSS `author` is specified as an e-mail address, usually written `email (Name)`; real feeds
    /// (and Dublin Core `creator`s) also write `Name (email)`, `Name <email>` or just a name. We
    /// keep the name when there is one, else the e-mail.
    public static func fromRSSAuthor(_ raw: String) -> String? {
        guard let text = TextAccumulator.collapse(raw) else { return nil }
        if text.hasSuffix(")"), let open = text.firstIndex(of: "(") {
            let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
            let before = text[..<open]
            if before.utf8.contains(0x40), let name = TextAccumulator.collapse(String(inner)) { return name }
            if inner.utf8.contains(0x40), !before.utf8.contains(0x40), let name = TextAccumulator.collapse(String(before)) {
                return name
            }
        }
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let name = TextAccumulator.collapse(String(text[..<open]))
            let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
            if inner.utf8.contains(0x40) { return name ?? TextAccumulator.collapse(String(inner)) }
        }
        return text
    }
}
