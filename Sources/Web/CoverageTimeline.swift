public import FeedwatchCore

/// The picture of how a story spread: one mark per outlet, placed by when it first published the
/// story, the first outlet named — drawn as inline SVG on the server, so it needs no script and no
/// external resource, and carries its own text alternative (`<title>`, `<desc>`, and a `<title>`
/// on every mark for a pointer or a screen reader).
public enum CoverageTimeline {
    /// One outlet on the timeline: where it first covered the story.
    public struct Mark: Equatable, Sendable {
        public var outlet: String
        /// Its first item's publication time; `nil` when no item of it gave one.
        public var at: Timestamp?
        public var title: String?
        public var items: Int
    }

    /// Outlets in the order they covered the story: each at its earliest dated item; outlets with
    /// no dated item come last, in the story's order.
    public static func marks(_ story: WebStory) -> [Mark] {
        var order: [String] = []
        var byOutlet: [String: Mark] = [:]
        for item in story.items {
            let name = item.outlet
            if var m = byOutlet[name] {
                m.items += 1
                if let at = item.published, m.at.map({ at < $0 }) ?? true {
                    m.at = at
                    m.title = item.title
                }
                byOutlet[name] = m
            } else {
                order.append(name)
                byOutlet[name] = Mark(outlet: name, at: item.published, title: item.title, items: 1)
            }
        }
        let marks = order.compactMap { byOutlet[$0] }
        let dated = marks.filter { $0.at != nil }.enumerated()
            .sorted { ($0.element.at!, $0.offset) < ($1.element.at!, $1.offset) }.map(\.element)
        return dated + marks.filter { $0.at == nil }
    }

    public static let width = 600.0
    static let left = 8.0, right = 8.0, axisY = 44.0, rowGap = 9.0

    /// The SVG for a story; `idPrefix` makes its element ids unique on a page of many stories.
    public static func svg(_ story: WebStory, idPrefix: String) -> String {
        let marks = marks(story)
        let dated = marks.compactMap(\.at)
        let start = dated.min() ?? story.firstSeen
        let end = max(dated.max() ?? story.lastSeen, start)
        let span = Double(end.secondsSince1970 - start.secondsSince1970)
        let plot = width - left - right
        func x(_ t: Timestamp?) -> Double {
            guard let t, span > 0 else { return t == nil ? width - right : left + plot / 2 }
            return left + plot * Double(t.secondsSince1970 - start.secondsSince1970) / span
        }
        // Marks closer than a mark's width are stacked upwards, so each outlet stays visible.
        var rows: [Double] = []
        var placed: [(x: Double, y: Double)] = []
        for m in marks {
            let px = x(m.at)
            var row = 0
            while row < rows.count && px - rows[row] < 10 { row += 1 }
            if row == rows.count { rows.append(px) } else { rows[row] = px }
            placed.append((px, axisY - 8 - Double(min(row, 3)) * rowGap))
        }
        let height = 64.0
        let id = WebText.html(idPrefix)
        var out = "<svg class=\"timeline\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" preserveAspectRatio=\"xMinYMid meet\" "
        out += "aria-labelledby=\"\(id)-t \(id)-d\" focusable=\"false\">"
        out += "<title id=\"\(id)-t\">\(WebText.html(summary(marks, start: start, end: end)))</title>"
        out += "<desc id=\"\(id)-d\">\(WebText.html(description(marks)))</desc>"
        out += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(axisY))\" x2=\"\(f(width - right))\" y2=\"\(f(axisY))\"/>"
        for (i, m) in marks.enumerated() {
            let p = placed[i]
            let when = m.at.map(WebText.minute) ?? "time unknown"
            let label = "\(m.outlet), \(when)" + (m.title.map { ": \($0)" } ?? "") + (m.items > 1 ? " (\(m.items) items)" : "")
            out += "<circle class=\"mark\(i == 0 ? " first" : "")\" data-outlet=\"\(WebText.html(m.outlet))\" cx=\"\(f(p.x))\" cy=\"\(f(p.y))\" r=\"4.5\">"
            out += "<title>\(WebText.html(label))</title></circle>"
        }
        // Under the axis: the first outlet named with its time at the left (where its mark is,
        // the earliest), the last time at the right — clear of the stacked marks above.
        let firstLabel = (marks.first.map { "\($0.outlet) first, " } ?? "") + tick(start, span: span)
        out += "<text class=\"first-name\" x=\"\(f(left))\" y=\"\(f(height - 4))\">\(WebText.html(firstLabel))</text>"
        if span > 0 {
            out += "<text class=\"tick\" x=\"\(f(width - right))\" y=\"\(f(height - 4))\" text-anchor=\"end\">\(WebText.html(tick(end, span: span)))</text>"
        }
        out += "</svg>"
        return out
    }

    /// "7 outlets over 5 h 20 min, first The Verge".
    static func summary(_ marks: [Mark], start: Timestamp, end: Timestamp) -> String {
        guard let first = marks.first else { return "Coverage timeline: no items" }
        let n = marks.count
        let over = end > start ? " over \(WebText.span(end.secondsSince1970 - start.secondsSince1970))" : ""
        return "Coverage timeline: \(n) outlet\(n == 1 ? "" : "s")\(over), first \(first.outlet)"
    }

    /// Every outlet and when, relative to the first: the chart in words.
    static func description(_ marks: [Mark]) -> String {
        guard let first = marks.first else { return "" }
        var parts: [String] = []
        for m in marks {
            if m == first {
                parts.append("\(m.outlet) first" + (m.at.map { " at \(WebText.minute($0))" } ?? ""))
            } else if let at = m.at, let t0 = first.at {
                parts.append("\(m.outlet) \(WebText.span(at.secondsSince1970 - t0.secondsSince1970)) later")
            } else {
                parts.append("\(m.outlet) (time unknown)")
            }
        }
        return parts.joined(separator: "; ")
    }

    private static func tick(_ t: Timestamp, span: Double) -> String {
        span < 86_400 ? WebText.clock(t) + " UTC" : WebText.day(t) + " " + WebText.clock(t)
    }

    private static func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
