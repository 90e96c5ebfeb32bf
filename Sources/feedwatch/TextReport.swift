import FeedwatchCore

/// The `--format text` rendering of a parsed feed: what a person wants to see at a glance.
enum TextReport {
    static func render(_ p: ParsedFeed) -> String {
        var out = ""
        let f = p.feed
        out += "\(f.title ?? "(untitled feed)")  [\(p.format.rawValue)]\n"
        if let link = f.link { out += "\(link)\n" }
        if let d = f.description { out += "\(clip(d, 300))\n" }
        var facts: [String] = []
        if let u = f.updated { facts.append("updated \(u.rfc3339)") }
        if let l = f.language { facts.append("language \(l)") }
        if let t = f.ttlMinutes { facts.append("ttl \(t) min") }
        facts.append(p.items.count == 1 ? "1 item" : "\(p.items.count) items")
        out += facts.joined(separator: " · ") + "\n"
        for (n, item) in p.items.enumerated() {
            out += "\n[\(n + 1)] \(item.title ?? "(untitled)")\n"
            if let link = item.link { out += "    \(link)\n" }
            var when: [String] = []
            if let d = item.published { when.append("published \(d.rfc3339)") }
            if let d = item.updated { when.append("updated \(d.rfc3339)") }
            if !when.isEmpty { out += "    " + when.joined(separator: " · ") + "\n" }
            var who: [String] = []
            if !item.authors.isEmpty { who.append("by " + item.authors.joined(separator: ", ")) }
            if !item.categories.isEmpty { who.append(item.categories.joined(separator: ", ")) }
            if !who.isEmpty { out += "    " + who.joined(separator: " · ") + "\n" }
            if let s = item.summary ?? item.content { out += "    \(clip(s, 280))\n" }
            for e in item.enclosures {
                let detail = [e.type, e.length.map { "\($0) bytes" }].compactMap { $0 }.joined(separator: ", ")
                out += "    enclosure \(e.url)\(detail.isEmpty ? "" : " (\(detail))")\n"
            }
        }
        return out
    }

    private static func clip(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(limit)) + "…"
    }
}
