internal import FoundationEssentials
public import FeedwatchCore

/// What a mail tells of one alert: the fields of its record a person reads, already decoded.
public struct MailAlert: Equatable, Sendable {
    public var id: String
    public var topics: [String]
    /// The feed's name (its title, or its URL when it has none).
    public var feed: String
    /// The item's title, or what a health alert says.
    public var headline: String
    /// As published (a link a person can follow); shown without tracking parameters.
    public var link: String?
    /// RFC 3339, as in the record.
    public var published: String?
    public var summary: String?
    public var authors: [String]
    public var storyID: String?
    public var storySize: Int
    public var isHealth: Bool

    public init(id: String, topics: [String], feed: String, headline: String, link: String? = nil, published: String? = nil,
                summary: String? = nil, authors: [String] = [], storyID: String? = nil, storySize: Int = 1, isHealth: Bool = false) {
        self.id = id
        self.topics = topics
        self.feed = feed
        self.headline = headline
        self.link = link
        self.published = published
        self.summary = summary
        self.authors = authors
        self.storyID = storyID
        self.storySize = storySize
        self.isHealth = isHealth
    }

    /// The alert id of the story's first item (`st_…` → `fw_…`), which the story's later alerts
    /// answer in `In-Reply-To`/`References`; `nil` for the first item itself and health alerts.
    public var threadParent: String? {
        guard let storyID, storyID.hasPrefix("st_") else { return nil }
        let first = "fw_" + storyID.dropFirst(3)
        return first == id ? nil : first
    }
}

/// A feed that failed in a digest's period, as the digest mail lists it.
public struct FailingFeed: Equatable, Sendable {
    public var feed: String
    public var error: String
    public var errorsInRow: Int

    public init(feed: String, error: String, errorsInRow: Int) {
        self.feed = feed
        self.error = error
        self.errorsInRow = errorsInRow
    }
}

/// RFC 5322 messages for the email sink, as pure functions of the alerts, the addresses and the
/// time: multipart/alternative with a text and an HTML part (quoted-printable UTF-8, so no line
/// exceeds SMTP's limit whatever a feed writes), non-ASCII headers as RFC 2047 encoded words,
/// CRLF line ends. Dot-stuffing is libcurl's job. Nothing from a feed reaches a header unfolded or
/// unencoded, so a title cannot add a header or end the message.
public enum MailMessage {
    public struct Addresses: Sendable {
        public var from: String
        public var to: [String]
        public init(from: String, to: [String]) {
            self.from = from
            self.to = to
        }
    }

    // MARK: One alert

    /// `[feedwatch] police: Amazon pauses police use of Rekognition (story of 3)`
    public static func subject(_ a: MailAlert) -> String {
        if a.isHealth { return "[feedwatch] health: \(a.feed): \(a.headline)" }
        let topics = a.topics.isEmpty ? "" : a.topics.joined(separator: ", ") + ": "
        return "[feedwatch] \(topics)\(a.headline)" + (a.storySize > 1 ? " (story of \(a.storySize))" : "")
    }

    /// The mail for one alert: `Message-ID: <ALERT_ID@feedwatch>`, threaded under its story's
    /// first alert.
    public static func alert(_ a: MailAlert, _ addresses: Addresses, date: Timestamp) -> [UInt8] {
        var headers = common(addresses, subject: subject(a), date: date, messageID: a.id)
        if let parent = a.threadParent {
            headers.append(("In-Reply-To", "<\(parent)@feedwatch>"))
            headers.append(("References", "<\(parent)@feedwatch>"))
        }
        if !a.topics.isEmpty { headers.append(("X-Feedwatch-Topics", a.topics.joined(separator: ", "))) }
        return message(headers: headers, boundary: "=_" + a.id, text: alertText(a), html: alertHTML(a))
    }

    static func alertText(_ a: MailAlert) -> String {
        var out = "\(a.headline)\n"
        if let link = a.link { out += URLText.withoutTracking(link) + "\n" }
        out += "\n" + details(a).joined(separator: "\n") + "\n"
        if let summary = a.summary, !summary.isEmpty { out += "\n" + summary + "\n" }
        out += "\n-- \nfeedwatch alert \(a.id)\n"
        return out
    }

    static func alertHTML(_ a: MailAlert) -> String {
        var out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(html(a.headline))</title></head>\n<body>\n"
        out += "<h2>" + (a.link.map { "<a href=\"\(html(URLText.withoutTracking($0)))\">\(html(a.headline))</a>" } ?? html(a.headline)) + "</h2>\n"
        out += "<p>" + details(a).map(html).joined(separator: "<br>\n") + "</p>\n"
        if let summary = a.summary, !summary.isEmpty { out += "<p>\(html(summary))</p>\n" }
        out += "<p style=\"color:#777;font-size:small\">feedwatch alert \(html(a.id))</p>\n</body></html>\n"
        return out
    }

    /// Outlet, topics, publication time, authors, story: one line each.
    static func details(_ a: MailAlert) -> [String] {
        var lines = ["\(a.feed) · " + (a.isHealth ? "feed health" : a.topics.joined(separator: ", "))]
        if let published = a.published { lines.append("published \(readableTime(published))") }
        if !a.authors.isEmpty { lines.append("by " + a.authors.joined(separator: ", ")) }
        if a.storySize > 1 { lines.append("story of \(a.storySize) items") }
        return lines
    }

    // MARK: Digest

    /// One mail for a period's alerts: topic counts, stories largest first (each with its items),
    /// feed health, failing feeds.
    public static func digest(_ alerts: [MailAlert], failing: [FailingFeed], from start: Timestamp, to end: Timestamp,
                              _ addresses: Addresses, date: Timestamp) -> [UInt8] {
        let stories = storiesBySize(alerts.filter { !$0.isHealth })
        let counts = topicCounts(alerts.filter { !$0.isHealth })
        var subject = "[feedwatch] digest: \(plural(alerts.count, "alert"))"
        if !stories.isEmpty { subject += " in \(plural(stories.count, "story", "stories"))" }
        if !counts.isEmpty { subject += " (" + counts.prefix(3).map { "\($0.topic) \($0.count)" }.joined(separator: ", ") + ")" }
        let id = "digest." + (alerts.first?.id ?? "none") + "." + (alerts.last?.id ?? "none")
        let headers = common(addresses, subject: subject, date: date, messageID: id)
        let health = alerts.filter(\.isHealth)

        var text = "\(plural(alerts.count, "alert")) from \(readableTime(start.rfc3339)) to \(readableTime(end.rfc3339))\n"
        var page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(html(subject))</title></head>\n<body>\n"
        page += "<p>\(html(text))</p>\n"
        if !counts.isEmpty {
            let line = counts.map { "\($0.topic) \($0.count)" }.joined(separator: ", ")
            text += "\nTopics: \(line)\n"
            page += "<p><b>Topics:</b> \(html(line))</p>\n"
        }
        if !stories.isEmpty {
            text += "\nStories, largest first:\n"
            page += "<h3>Stories, largest first</h3>\n<ol>\n"
            for story in stories {
                let lead = story.alerts[0]
                text += "\n* \(lead.headline)" + (story.size > 1 ? " (story of \(story.size))" : "") + "\n"
                page += "<li><b>\(html(lead.headline))</b>" + (story.size > 1 ? " (story of \(story.size))" : "") + "\n<ul>\n"
                for a in story.alerts {
                    let link = a.link.map(URLText.withoutTracking)
                    text += "  [\(a.topics.joined(separator: ", "))] \(a.feed): \(a.headline)" + (a.published.map { ", \(readableTime($0))" } ?? "") + "\n"
                    if let link { text += "    \(link)\n" }
                    page += "<li>[\(html(a.topics.joined(separator: ", ")))] \(html(a.feed)): "
                        + (link.map { "<a href=\"\(html($0))\">\(html(a.headline))</a>" } ?? html(a.headline))
                        + (a.published.map { ", \(html(readableTime($0)))" } ?? "") + "</li>\n"
                }
                page += "</ul></li>\n"
            }
            page += "</ol>\n"
        }
        if !health.isEmpty {
            text += "\nFeed health:\n" + health.map { "  \($0.feed): \($0.headline)\n" }.joined()
            page += "<h3>Feed health</h3>\n<ul>\n" + health.map { "<li>\(html($0.feed)): \(html($0.headline))</li>\n" }.joined() + "</ul>\n"
        }
        if !failing.isEmpty {
            text += "\nFailing feeds:\n"
            page += "<h3>Failing feeds</h3>\n<ul>\n"
            for f in failing {
                text += "  \(f.feed): \(f.error) (\(f.errorsInRow) in a row)\n"
                page += "<li>\(html(f.feed)): \(html(f.error)) (\(f.errorsInRow) in a row)</li>\n"
            }
            page += "</ul>\n"
        }
        text += "\n-- \nfeedwatch digest\n"
        page += "</body></html>\n"
        return message(headers: headers, boundary: "=_" + id, text: text, html: page)
    }

    /// A digest's stories: alerts grouped by story (an alert without one stands alone), the
    /// largest first — its size the largest its alerts report — ties in order of first alert.
    static func storiesBySize(_ alerts: [MailAlert]) -> [(size: Int, alerts: [MailAlert])] {
        var order: [String] = []
        var groups: [String: (size: Int, alerts: [MailAlert])] = [:]
        for a in alerts {
            let key = a.storyID ?? a.id
            if groups[key] == nil { order.append(key) }
            groups[key, default: (0, [])].size = max(groups[key]?.size ?? 0, a.storySize)
            groups[key]!.alerts.append(a)
        }
        return order.enumerated().sorted { (groups[$0.element]!.size, -$0.offset) > (groups[$1.element]!.size, -$1.offset) }
            .map { groups[$0.element]! }
    }

    /// Alerts per topic, most first (ties: the topic seen first).
    static func topicCounts(_ alerts: [MailAlert]) -> [(topic: String, count: Int)] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for a in alerts {
            for t in a.topics {
                if counts[t] == nil { order.append(t) }
                counts[t, default: 0] += 1
            }
        }
        return order.enumerated().sorted { (counts[$0.element]!, -$0.offset) > (counts[$1.element]!, -$1.offset) }
            .map { ($0.element, counts[$0.element]!) }
    }

    // MARK: RFC 5322 and MIME

    static func common(_ addresses: Addresses, subject: String, date: Timestamp, messageID: String) -> [(String, String)] {
        [
            ("From", addresses.from),
            ("To", addresses.to.joined(separator: ", ")),
            ("Subject", subject),
            ("Date", rfc5322Date(date)),
            ("Message-ID", "<\(messageID)@feedwatch>"),
            // RFC 3834: no vacation responder answers a machine.
            ("Auto-Submitted", "auto-generated"),
        ]
    }

    /// Headers, then a multipart/alternative body with the text part first (the least preferred).
    static func message(headers: [(String, String)], boundary: String, text: String, html: String) -> [UInt8] {
        var out = ""
        for (name, value) in headers { out += header(name, value) }
        out += "MIME-Version: 1.0\r\n"
        out += "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n\r\n"
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            out += "--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            out += quotedPrintable(body) + "\r\n"
        }
        out += "--\(boundary)--\r\n"
        return Array(out.utf8)
    }

    /// One header field, folded to lines of at most 78 characters. Printable ASCII is folded at
    /// spaces; anything else becomes RFC 2047 `=?UTF-8?B?…?=` words of whole characters, each on
    /// its own line. Control characters become spaces: a value never adds a line of its own.
    static func header(_ name: String, _ value: String) -> String {
        let clean = String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        if clean.unicodeScalars.allSatisfy({ $0.value < 0x7F }) && !clean.contains("=?") {
            var out = "\(name):"
            var line = out.count
            for word in clean.split(separator: " ", omittingEmptySubsequences: false) {
                if line + 1 + word.count > 78 && line > name.count + 1 {
                    out += "\r\n"
                    line = 0
                }
                out += " " + word
                line += 1 + word.count
            }
            return out + "\r\n"
        }
        // Words of at most 45 bytes (60 base64 characters, 72 with the frame): never a character split.
        var words: [String] = []
        var chunk: [UInt8] = []
        for c in clean {
            let bytes = Array(String(c).utf8)
            if chunk.count + bytes.count > 45 && !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return "\(name): " + words.joined(separator: "\r\n ") + "\r\n"
    }

    /// RFC 2045 quoted-printable of UTF-8 text: `\n` becomes CRLF, lines are cut at 76 with soft
    /// breaks, `=`, bytes outside printable ASCII and trailing white space are escaped.
    static func quotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if n > 0 { out += [0x0D, 0x0A] }
            let bytes = Array(line.utf8)
            var width = 0
            for (i, b) in bytes.enumerated() {
                let last = i == bytes.count - 1
                let plain = (b >= 0x21 && b <= 0x7E && b != 0x3D) || (b == 0x20 && !last)
                let piece: [UInt8] = plain ? [b] : [0x3D, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
                if width + piece.count > 75 {  // room for the soft break's `=`
                    out += [0x3D, 0x0D, 0x0A]
                    width = 0
                }
                out += piece
                width += piece.count
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `Thu, 03 Dec 2026 12:43:00 +0000`
    static func rfc5322Date(_ t: Timestamp) -> String {
        let c = t.civil
        let days = Int(t.secondsSince1970 >= 0 ? t.secondsSince1970 / 86_400 : (t.secondsSince1970 - 86_399) / 86_400)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][c.month - 1]
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekday), \(two(c.day)) \(month) \(c.year) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// `2020-06-10T20:01:00Z` → `2020-06-10 20:01 UTC` (anything else as it is).
    static func readableTime(_ rfc3339: String) -> String {
        let u = Array(rfc3339.utf8)
        guard u.count == 20, u[10] == 0x54, u[19] == 0x5A else { return rfc3339 }
        return String(decoding: u[0..<10], as: UTF8.self) + " " + String(decoding: u[11..<16], as: UTF8.self) + " UTC"
    }

    static func html(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "<br>"
            default: out.append(c)
            }
        }
        return out
    }

    static func plural(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) " + (n == 1 ? one : many ?? one + "s")
    }
}
