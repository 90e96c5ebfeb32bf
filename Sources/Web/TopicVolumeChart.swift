public import FeedwatchCore

/// Items per topic per day: counted from stories (each item under every topic of its story, on
/// the day it was published — or its story's first day, when that is unknown or before the
/// chart's first day), and drawn as a table of numbers —
/// the accessible form — with a small bar chart per topic beside it, hidden from screen readers
/// since the numbers are already read out.
public enum TopicVolumeChart {
    /// The last `days` days ending on `now`'s day (UTC), oldest first; topics by name.
    public static func volumes(_ stories: [WebStory], days: Int, now: Timestamp) -> [TopicVolume] {
        let today = now.secondsSince1970 >= 0 ? now.secondsSince1970 / 86_400 : (now.secondsSince1970 - 86_399) / 86_400
        var counts: [String: [Int]] = [:]
        for story in stories {
            for item in story.items {
                let first = today - Int64(days) + 1
                // Its publication day; its story's first day when that is unknown, or before the
                // chart begins (a newly added feed's archive, seen now).
                var t = (item.published ?? story.firstSeen).secondsSince1970
                if t < first * 86_400 { t = story.firstSeen.secondsSince1970 }
                let day = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
                let slot = Int(day - first)
                guard slot >= 0, slot < days else { continue }
                for topic in story.topics { counts[topic, default: Array(repeating: 0, count: days)][slot] += 1 }
            }
        }
        return counts.keys.sorted().map { TopicVolume(topic: $0, perDay: counts[$0]!) }
    }

    public static func html(_ volumes: [TopicVolume], now: Timestamp) -> String {
        guard let days = volumes.first?.perDay.count, days > 0 else { return "<p>No items in topics these days.</p>" }
        let labels = (0..<days).map { WebText.day(Timestamp(secondsSince1970: now.secondsSince1970 - Int64(days - 1 - $0) * 86_400)) }
        let peak = max(1, volumes.flatMap(\.perDay).max() ?? 1)
        var out = "<div class=\"scroll\"><table class=\"volume\"><caption>Items per topic per day (UTC)</caption><thead><tr><th scope=\"col\">Topic</th>"
        for l in labels { out += "<th scope=\"col\">\(l)</th>" }
        out += "<th scope=\"col\"><span class=\"sr\">Chart</span></th></tr></thead><tbody>"
        for v in volumes {
            out += "<tr><th scope=\"row\">\(WebText.html(v.topic))</th>"
            for n in v.perDay { out += "<td>\(n)</td>" }
            out += "<td>" + bars(v.perDay, peak: peak) + "</td></tr>"
        }
        return out + "</tbody></table></div>"
    }

    /// A sparkline of bars, one per day, scaled to the busiest topic-day on the page.
    static func bars(_ perDay: [Int], peak: Int) -> String {
        let w = 8, gap = 2, h = 24
        var out = "<svg class=\"bars\" aria-hidden=\"true\" focusable=\"false\" width=\"\(perDay.count * (w + gap))\" height=\"\(h)\" viewBox=\"0 0 \(perDay.count * (w + gap)) \(h)\">"
        for (i, n) in perDay.enumerated() {
            let bh = n == 0 ? 1 : max(2, n * h / peak)
            out += "<rect x=\"\(i * (w + gap))\" y=\"\(h - bh)\" width=\"\(w)\" height=\"\(bh)\"/>"
        }
        return out + "</svg>"
    }
}
