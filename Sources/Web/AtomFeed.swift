public import FeedwatchCore

/// `/stories.atom`: an Atom 1.0 entry per story, so a reader (Miniflux, newsboat) follows stories
/// as they grow — `updated` moves with the story's last item, and the content lists every outlet.
/// Links are relative (`/stories/ID`): a reader resolves them against the feed's own URL, so no
/// request header (Host) is ever trusted to build them.
public enum AtomFeed {
    public static func render(_ stories: [WebStory], topic: String?, now: Timestamp) -> String {
        let updated = stories.map(\.lastSeen).max() ?? now
        let selfLink = "/stories.atom" + (topic.map { "?topic=" + WebText.percentEncode($0) } ?? "")
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
        out += "<id>urn:feedwatch:stories" + (topic.map { ":topic:" + WebText.xml(WebText.percentEncode($0)) } ?? "") + "</id>"
        out += "<title>Feedwatch stories" + (topic.map { ": " + WebText.xml($0) } ?? "") + "</title>"
        out += "<updated>\(updated.rfc3339)</updated>"
        out += "<author><name>feedwatch</name></author>"
        out += "<generator version=\"\(WebText.xml(FeedwatchVersion.string))\">feedwatch</generator>"
        out += "<link rel=\"self\" type=\"application/atom+xml\" href=\"\(WebText.xml(selfLink))\"/>"
        out += "<link rel=\"alternate\" type=\"text/html\" href=\"/\"/>"
        for s in stories {
            out += "<entry><id>urn:feedwatch:story:\(WebText.xml(WebText.percentEncode(s.id)))</id>"
            out += "<title type=\"text\">\(WebText.xml(s.title ?? "(untitled)"))</title>"
            out += "<link rel=\"alternate\" type=\"text/html\" href=\"/stories/\(WebText.xml(WebText.percentEncode(s.id)))\"/>"
            out += "<published>\(s.firstSeen.rfc3339)</published><updated>\(s.lastSeen.rfc3339)</updated>"
            for t in s.topics { out += "<category term=\"\(WebText.xml(t))\"/>" }
            let outlets = CoverageTimeline.marks(s)
            out += "<summary type=\"text\">\(WebText.xml("\(s.size) item\(s.size == 1 ? "" : "s") from \(outlets.count) outlet\(outlets.count == 1 ? "" : "s")" + (outlets.first.map { ", first \($0.outlet)" } ?? "")))</summary>"
            // HTML in an Atom `html` content is escaped once more: the reader unescapes it, then
            // renders the HTML, in which every feed value is escaped again.
            var html = "<ul>"
            for item in s.items {
                let title = WebText.html(item.title ?? "(untitled)")
                html += "<li>" + WebText.html(item.outlet) + ": "
                html += WebText.safeLink(item.link).map { "<a href=\"\(WebText.html($0))\">\(title)</a>" } ?? title
                if let p = item.published { html += " (" + WebText.minute(p) + ")" }
                html += "</li>"
            }
            html += "</ul>"
            out += "<content type=\"html\">\(WebText.xml(html))</content></entry>"
        }
        return out + "</feed>\n"
    }
}
