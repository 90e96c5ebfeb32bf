public import FeedwatchCore

/// The HTML pages, as pure functions of records and the clock: the same data gives the same bytes,
/// so they are tested without a server. Every value that came from a feed, the config or the
/// request passes through `WebText.html`.
public enum Pages {
    /// The choices of the page's period selector (any `?since=` duration works).
    public static let periods = ["24h", "3d", "7d", "30d"]

    /// `/`: stories of the period, the topics' volume per day, feed health, the outbox.
    public static func index(stories: [WebStory], volumes: [TopicVolume], feeds: [WebFeed], outbox: [WebSink], since: String,
                             now: Timestamp) -> String {
        var out = head(title: "Feedwatch: stories of the last \(since)")
        out += "<header><h1>Stories of the last \(WebText.html(since))</h1>"
        out += "<form method=\"get\" action=\"/\"><label for=\"since\">Period</label> <select id=\"since\" name=\"since\">"
        for p in Set(periods + [since]).sorted(by: { (WebText.duration($0) ?? 0) < (WebText.duration($1) ?? 0) }) {
            out += "<option value=\"\(WebText.html(p))\"\(p == since ? " selected" : "")>last \(WebText.html(p))</option>"
        }
        out += "</select> <button type=\"submit\">Show</button> · <a href=\"/stories.atom\">Atom feed</a></form>"
        out += "<p class=\"meta\">\(stories.count) stor\(stories.count == 1 ? "y" : "ies"), largest first · as of \(WebText.minute(now))</p></header>"
        out += "<main><section aria-labelledby=\"h-stories\"><h2 id=\"h-stories\">Stories</h2>"
        if stories.isEmpty {
            out += "<p>No story grew in the last \(WebText.html(since)).</p>"
        } else {
            out += "<ol class=\"stories\">"
            for (i, s) in stories.enumerated() { out += "<li>" + storySummary(s, index: i) + "</li>" }
            out += "</ol>"
        }
        out += "</section><section aria-labelledby=\"h-volume\"><h2 id=\"h-volume\">Topics per day</h2>"
        out += TopicVolumeChart.html(volumes, now: now) + "</section>"
        out += "<section aria-labelledby=\"h-feeds\"><h2 id=\"h-feeds\">Feed health</h2>" + feedTable(feeds, now: now) + "</section>"
        out += "<section aria-labelledby=\"h-outbox\"><h2 id=\"h-outbox\">Outbox</h2>" + outboxTable(outbox) + "</section></main>"
        return out + foot()
    }

    /// One story in the list: its title (linking to its page), size, topics, timeline.
    static func storySummary(_ s: WebStory, index: Int) -> String {
        let outlets = s.outlets
        var out = "<article aria-labelledby=\"s\(index)\"><h3 id=\"s\(index)\"><a href=\"/stories/\(WebText.html(WebText.percentEncode(s.id)))\">"
        out += WebText.html(s.title ?? "(untitled)") + "</a></h3>"
        out += "<p class=\"meta\">\(s.size) item\(s.size == 1 ? "" : "s") · \(outlets) outlet\(outlets == 1 ? "" : "s") · first seen \(WebText.minute(s.firstSeen))"
        out += " · last \(WebText.minute(s.lastSeen))</p>"
        if !s.topics.isEmpty {
            out += "<p><span class=\"sr\">Topics: </span>" + s.topics.map { "<span class=\"topic\">\(WebText.html($0))</span>" }.joined(separator: " ") + "</p>"
        }
        out += CoverageTimeline.svg(s, idPrefix: "tl\(index)")
        return out + "</article>"
    }

    /// `/stories/ID`: the story's items by publication time, with links and copies.
    public static func story(_ s: WebStory, now: Timestamp) -> String {
        var out = head(title: "Feedwatch: " + (s.title ?? "(untitled)"))
        out += "<header><p><a href=\"/\">← all stories</a></p><h1>\(WebText.html(s.title ?? "(untitled)"))</h1>"
        out += "<p class=\"meta\">\(s.size) item\(s.size == 1 ? "" : "s") · first seen \(WebText.minute(s.firstSeen)) · last \(WebText.minute(s.lastSeen))</p>"
        if !s.topics.isEmpty {
            out += "<p><span class=\"sr\">Topics: </span>" + s.topics.map { "<span class=\"topic\">\(WebText.html($0))</span>" }.joined(separator: " ") + "</p>"
        }
        out += "</header><main><section aria-labelledby=\"h-tl\"><h2 id=\"h-tl\">Coverage</h2>" + CoverageTimeline.svg(s, idPrefix: "tl") + "</section>"
        out += "<section aria-labelledby=\"h-items\"><h2 id=\"h-items\">Items by publication time</h2><ol class=\"items\">"
        let ordered = s.items.enumerated().sorted { a, b in
            switch (a.element.published, b.element.published) {
            case let (x?, y?): return (x, a.offset) < (y, b.offset)
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
        for item in ordered {
            out += "<li><strong>\(WebText.html(item.outlet))</strong>"
            out += " <span class=\"meta\">\(item.published.map(WebText.minute) ?? "no publication time")</span><br>"
            let title = WebText.html(item.title ?? "(untitled)")
            out += WebText.safeLink(item.link).map { "<a href=\"\(WebText.html($0))\" rel=\"noopener noreferrer\">\(title)</a>" } ?? title
            if !item.duplicates.isEmpty {
                out += "<br><span class=\"meta\">Copies:</span> " + item.duplicates.map { d in
                    let name = WebText.html(WebText.host(of: d.feed))
                    return WebText.safeLink(d.link).map { "<a href=\"\(WebText.html($0))\" rel=\"noopener noreferrer\">\(name)</a>" } ?? name
                }.joined(separator: ", ")
            }
            out += "</li>"
        }
        out += "</ol></section></main>"
        return out + foot()
    }

    /// A page for a status that is not 200 (404, 503): a heading and one sentence.
    public static func message(title: String, _ text: String) -> String {
        head(title: "Feedwatch: " + title) + "<main><h1>\(WebText.html(title))</h1><p>\(WebText.html(text))</p><p><a href=\"/\">All stories</a></p></main>" + foot()
    }

    static func feedTable(_ feeds: [WebFeed], now: Timestamp) -> String {
        guard !feeds.isEmpty else { return "<p>No feeds in the store yet.</p>" }
        let failing = feeds.filter { $0.health == .failing || $0.health == .gone }.count
        var out = "<div class=\"scroll\"><table><caption>\(feeds.count) feed\(feeds.count == 1 ? "" : "s"), \(failing) failing or gone</caption>"
        out += "<thead><tr><th scope=\"col\">Feed</th><th scope=\"col\">State</th><th scope=\"col\">Last fetch</th><th scope=\"col\">Last new item</th>"
        out += "<th scope=\"col\">Next poll</th><th scope=\"col\">Items</th></tr></thead><tbody>"
        // Failing and gone feeds first: they are what a reader of this table looks for.
        let rank: [WebFeed.Health: Int] = [.gone: 0, .failing: 1, .neverPolled: 2, .ok: 3]
        for f in feeds.enumerated().sorted(by: { (rank[$0.element.health]!, $0.offset) < (rank[$1.element.health]!, $1.offset) }).map(\.element) {
            out += "<tr><th scope=\"row\">\(WebText.html(f.name ?? f.url))"
            if f.name != nil { out += "<br><span class=\"meta\">\(WebText.html(f.url))</span>" }
            out += "</th><td>"
            switch f.health {
            case .ok: out += "ok"
            case .neverPolled: out += "never polled"
            case .gone: out += "<span class=\"bad\">gone</span>"
            case .failing: out += "<span class=\"bad\">failing (\(f.errorsInRow) in a row)</span>"
            }
            if let e = f.error, f.health == .failing || f.health == .gone { out += "<br><span class=\"meta\">\(WebText.html(e))</span>" }
            out += "</td><td>" + (f.lastFetch.map { ago($0, now) + (f.status.map { " (HTTP \($0))" } ?? "") } ?? "—") + "</td>"
            out += "<td>" + (f.lastNew.map { ago($0, now) } ?? "—") + "</td>"
            out += "<td>" + (f.nextPoll.map { $0 <= now ? "due" : "in " + WebText.span($0.secondsSince1970 - now.secondsSince1970) } ?? "never") + "</td>"
            out += "<td>\(f.itemsSeen)</td></tr>"
        }
        return out + "</tbody></table></div>"
    }

    static func outboxTable(_ sinks: [WebSink]) -> String {
        guard !sinks.isEmpty else { return "<p>No sinks configured.</p>" }
        var out = "<div class=\"scroll\"><table><caption>Deliveries waiting and given up on, per sink</caption>"
        out += "<thead><tr><th scope=\"col\">Sink</th><th scope=\"col\">Pending</th><th scope=\"col\">Dead letters</th><th scope=\"col\">State</th></tr></thead><tbody>"
        for s in sinks {
            out += "<tr><th scope=\"row\">\(WebText.html(s.name))</th><td>\(s.pending)</td><td>" + (s.dead > 0 ? "<span class=\"bad\">\(s.dead)</span>" : "0") + "</td><td>"
            if s.attempts > 0 {
                out += "<span class=\"bad\">failing, attempt \(s.attempts)</span>"
                if let e = s.lastError { out += "<br><span class=\"meta\">\(WebText.html(e))</span>" }
                if let next = s.nextAttempt { out += "<br><span class=\"meta\">next try \(WebText.minute(next))</span>" }
            } else {
                out += "ok"
            }
            out += "</td></tr>"
        }
        return out + "</tbody></table></div>"
    }

    static func ago(_ t: Timestamp, _ now: Timestamp) -> String {
        "<time datetime=\"\(t.rfc3339)\">\(WebText.span(now.secondsSince1970 - t.secondsSince1970)) ago</time>"
    }

    static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\
        <title>\(WebText.html(title))</title><link rel="stylesheet" href="/style.css"><link rel="icon" type="image/svg+xml" href="/favicon.svg">\
        <link rel="alternate" type="application/atom+xml" title="Feedwatch stories" href="/stories.atom"></head><body>
        """
    }

    static func foot() -> String {
        "<footer><p class=\"meta\">feedwatch \(WebText.html(FeedwatchVersion.string)) · <a href=\"/api/stories\">JSON</a> · <a href=\"/metrics\">metrics</a></p></footer></body></html>\n"
    }
}
