public import FeedwatchCore

/// Parses the dates feeds actually contain into UTC timestamps, without `DateFormatter` (it is
/// slow, locale-sensitive and strict in the wrong places).
///
/// Two families are recognised:
/// - ISO 8601 / RFC 3339 / W3CDTF: `2020-06-09T09:33:00.5+02:00`, `2020-06-09 09:33:00`,
///   `2020-06-09`, `2020-06`, `2020`; a missing zone means UTC.
/// - RFC 822 / 1123 / 2822 and what the wild makes of them: optional (even wrong) weekday, two-digit
///   years, missing seconds, month before day, `AM`/`PM`, named zones (US, European, military as
///   RFC 822 writes them), `+HHMM`, `+HH:MM`, `+HH`, and trailing `(comments)`.
/// Anything else — or an impossible date such as hour 25 — is `nil`.
public enum DateParser {
    public static func parse(_ text: String) -> Timestamp? {
        var text = text
        return text.withUTF8 { parse(utf8: $0) }
    }

    public static func parse(utf8 p: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var s = Scanner(p)
        s.skipSpaces()
        return rfc1123(UnsafeBufferPointer(rebasing: p[s.i...])) ?? parseInFull(utf8: p)
    }

    /// `parse` without its shortcut for the common RSS form (tests hold the shortcut to it).
    static func parseInFull(utf8 p: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var s = Scanner(p)
        s.skipSpaces()
        if s.atEnd { return nil }
        let save = s.i
        if let n = s.number(), n.digits == 4, s.peek == 0x2D || s.peek == 0x2F || s.atEnd || s.peek == 0x54 {
            return iso(&s, year: n.value)
        }
        s.i = save
        return rfc822(&s)
    }

    // MARK: ISO 8601

    private static func iso(_ s: inout Scanner, year: Int) -> Timestamp? {
        var month = 1, day = 1, hour = 0, minute = 0, second = 0
        if let sep = s.peek, sep == 0x2D || sep == 0x2F {
            s.i += 1
            guard let m = s.number(), m.digits <= 2 else { return nil }
            month = m.value
            if s.peek == sep {
                s.i += 1
                guard let d = s.number(), d.digits <= 2 else { return nil }
                day = d.value
            }
        }
        if let t = s.peek, t == 0x54 || t == 0x74 || t == 0x20 {
            let save = s.i
            s.i += 1
            s.skipSpaces()
            if let h = s.number(), h.digits <= 2, s.peek == 0x3A {
                guard let (mi, se) = s.minutesAndSeconds() else { return nil }
                (hour, minute, second) = (h.value, mi, se)
            } else {
                s.i = save
            }
        }
        guard let offset = zone(&s) else { return nil }
        return Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                         offsetSeconds: offset)
    }

    // MARK: RFC 822 and relatives

    /// The form nearly every RSS feed writes, `Sun, 22 Nov 2026 09:30:00 GMT` (or `+0100`), read
    /// at fixed positions; any other shape is left to `rfc822`, which reads it the same way, only
    /// slower (it builds a string per word: it ran for every item of every fetched document).
    private static func rfc1123(_ p: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var n = p.count
        while n > 0, p[n - 1] == 0x20 || p[n - 1] == 0x09 || p[n - 1] == 0x0A || p[n - 1] == 0x0D { n -= 1 }
        // "Www, " then a one- or two-digit day.
        guard n >= 28, p[3] == 0x2C, p[4] == 0x20, weekday3(p[0], p[1], p[2]) else { return nil }
        var i = 5
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for k in i..<(i + count) {
                guard p[k] >= 0x30 && p[k] <= 0x39 else { return nil }
                v = v * 10 + Int(p[k] - 0x30)
            }
            i += count
            return v
        }
        func skip(_ b: UInt8) -> Bool {
            guard i < n, p[i] == b else { return false }
            i += 1
            return true
        }
        let dayDigits = i + 1 < n && p[i + 1] == 0x20 ? 1 : 2
        guard let day = digits(dayDigits), day <= 31, skip(0x20), i + 4 <= n,
              let month = month3(p[i], p[i + 1], p[i + 2]), p[i + 3] == 0x20 else { return nil }
        i += 4
        guard let year = digits(4), skip(0x20), let hour = digits(2), skip(0x3A), let minute = digits(2), skip(0x3A),
              let second = digits(2), skip(0x20), i < n else { return nil }
        let offset: Int
        switch n - i {
        case 5 where p[i] == 0x2B || p[i] == 0x2D:
            let sign = p[i] == 0x2D ? -1 : 1
            i += 1
            guard let hh = digits(2), let mm = digits(2), hh <= 23, mm <= 59 else { return nil }
            offset = sign * (hh * 3600 + mm * 60)
        case 3 where p[i] | 0x20 == 0x67 && p[i + 1] | 0x20 == 0x6D && p[i + 2] | 0x20 == 0x74:  // GMT
            offset = 0
        default:
            return nil
        }
        return Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offsetSeconds: offset)
    }

    private static func weekday3(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        switch (UInt32(a | 0x20) << 16) | (UInt32(b | 0x20) << 8) | UInt32(c | 0x20) {
        case 0x6D6F6E, 0x747565, 0x776564, 0x746875, 0x667269, 0x736174, 0x73756E: true  // mon … sun
        default: false
        }
    }

    private static func month3(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        switch (UInt32(a | 0x20) << 16) | (UInt32(b | 0x20) << 8) | UInt32(c | 0x20) {
        case 0x6A616E: 1
        case 0x666562: 2
        case 0x6D6172: 3
        case 0x617072: 4
        case 0x6D6179: 5
        case 0x6A756E: 6
        case 0x6A756C: 7
        case 0x617567: 8
        case 0x736570: 9
        case 0x6F6374: 10
        case 0x6E6F76: 11
        case 0x646563: 12
        default: nil
        }
    }

    private static func rfc822(_ s: inout Scanner) -> Timestamp? {
        var day: Int?, month: Int?, year: Int?
        var hour = 0, minute = 0, second = 0
        var haveTime = false
        var offset = 0
        var haveZone = false
        var meridiem: Int?  // 0 AM, 12 PM
        while true {
            s.skipSpaces()
            guard let b = s.peek else { break }
            if b == 0x2C || b == 0x2E { s.i += 1; continue }
            if b == 0x28 { s.skipComment(); continue }
            if b.isDigit {
                let n = s.number()!
                if s.peek == 0x3A && !haveTime {
                    guard n.digits <= 2, let (mi, se) = s.minutesAndSeconds() else { return nil }
                    (hour, minute, second) = (n.value, mi, se)
                    haveTime = true
                    continue
                }
                s.skipOrdinalSuffix()
                if n.digits >= 3 || n.value > 31 || day != nil {
                    guard year == nil else { return nil }
                    year = n.digits == 2 ? (n.value < 50 ? 2000 + n.value : 1900 + n.value)
                        : n.digits == 3 ? 1900 + n.value : n.value
                } else {
                    day = n.value
                }
                continue
            }
            if b == 0x2B || b == 0x2D {
                guard haveTime || year != nil, let o = numericOffset(&s) else { return nil }
                offset += o
                haveZone = true
                continue
            }
            if b.isLetter {
                let word = s.word()
                if let m = monthNumber(word) {
                    guard month == nil else { return nil }
                    month = m
                } else if isWeekday(word) {
                    continue
                } else if word == "am" || word == "pm" || word == "a.m" || word == "p.m" {
                    meridiem = word.hasPrefix("a") ? 0 : 12
                } else if let z = namedZone(word), !haveZone {
                    offset += z
                    haveZone = true
                } else if fillers.contains(word) {
                    continue
                } else {
                    return nil
                }
                continue
            }
            return nil
        }
        guard let day, let month, let year else { return nil }
        if let meridiem {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + meridiem
        }
        return Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                         offsetSeconds: offset)
    }

    /// The zone after an ISO time: `Z`, a numeric offset, a name, or nothing (UTC). `nil` means
    /// something unparseable follows.
    private static func zone(_ s: inout Scanner) -> Int? {
        s.skipSpaces()
        guard let b = s.peek else { return 0 }
        var total = 0
        if b == 0x2B || b == 0x2D {
            guard let o = numericOffset(&s) else { return nil }
            total = o
        } else if b.isLetter {
            guard let z = namedZone(s.word()) else { return nil }
            total = z
            s.skipSpaces()
            if let c = s.peek, c == 0x2B || c == 0x2D {
                guard let o = numericOffset(&s) else { return nil }
                total += o
            }
        }
        s.skipSpaces()
        if s.peek == 0x28 { s.skipComment(); s.skipSpaces() }
        return s.atEnd ? total : nil
    }

    /// `+HHMM`, `+HH:MM`, `+HH` → seconds east of UTC.
    private static func numericOffset(_ s: inout Scanner) -> Int? {
        let sign = s.peek == 0x2D ? -1 : 1
        s.i += 1
        guard let n = s.number() else { return nil }
        var hours = n.value, minutes = 0
        switch n.digits {
        case 1, 2:
            if s.peek == 0x3A {
                s.i += 1
                guard let m = s.number(), m.digits == 2 else { return nil }
                minutes = m.value
            }
        case 3, 4:
            hours = n.value / 100
            minutes = n.value % 100
        default: return nil
        }
        guard hours <= 23, minutes <= 59 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
        "sept": 9, "oct": 10, "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4,
        "june": 6, "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    ]

    static func monthNumber(_ w: String) -> Int? { months[w] }

    static let weekdays: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday",
    ]

    static func isWeekday(_ w: String) -> Bool { weekdays.contains(w) }

    /// Words that carry no date information in "June 9th, 2020 at 9:33".
    static let fillers: Set<String> = ["at", "on", "the", "of"]

    /// Named zones in minutes east of UTC. Military letters follow RFC 822 as written (A = −1,
    /// N = +1), as RSS references RFC 822 and as other feed parsers read them.
    static let zones: [String: Int] = {
        var z: [String: Int] = [
            "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "est": -300, "edt": -240, "cst": -360,
            "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480,
            "hst": -600, "ast": -240, "adt": -180, "nst": -210, "ndt": -150, "cet": 60, "cest": 120,
            "met": 60, "mest": 120, "eet": 120, "eest": 180, "west": 60, "bst": 60, "msk": 180,
            "ist": 330, "jst": 540, "kst": 540, "hkt": 480, "sgt": 480, "awst": 480, "acst": 570,
            "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780,
        ]
        for (i, c) in "abcdefghi".enumerated() { z[String(c)] = -60 * (i + 1) }
        for (i, c) in "klm".enumerated() { z[String(c)] = -60 * (i + 10) }
        for (i, c) in "nopqrstuvwxy".enumerated() { z[String(c)] = 60 * (i + 1) }
        return z
    }()

    static func namedZone(_ w: String) -> Int? { zones[w].map { $0 * 60 } }
}

/// A cursor over ASCII bytes with the few token readers the date grammar needs.
private struct Scanner {
    let p: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ p: UnsafeBufferPointer<UInt8>) { self.p = p }

    var atEnd: Bool { i >= p.count }
    var peek: UInt8? { i < p.count ? p[i] : nil }

    mutating func skipSpaces() {
        while i < p.count, p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0xA0 || p[i] == 0xC2 {
            i += 1
        }
    }

    mutating func number() -> (value: Int, digits: Int)? {
        var v = 0, d = 0
        while i < p.count, p[i].isDigit, d < 9 { v = v * 10 + Int(p[i] - 0x30); i += 1; d += 1 }
        return d == 0 ? nil : (v, d)
    }

    /// Lower-cased letters (and inner dots, for `a.m.`).
    mutating func word() -> String {
        var out = [UInt8]()
        while i < p.count, p[i].isLetter || (p[i] == 0x2E && !out.isEmpty && i + 1 < p.count && p[i + 1].isLetter) {
            out.append(p[i] | 0x20)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `:MM[:SS][.fff]` after an hour already read (fractions are dropped); nil if malformed.
    mutating func minutesAndSeconds() -> (minute: Int, second: Int)? {
        guard peek == 0x3A else { return nil }
        i += 1
        guard let minute = number(), minute.digits == 2 else { return nil }
        var second = 0
        if peek == 0x3A {
            i += 1
            guard let s = number(), s.digits == 2 else { return nil }
            second = s.value
        }
        skipFraction()
        return (minute.value, second)
    }

    mutating func skipFraction() {
        guard i < p.count, p[i] == 0x2E || p[i] == 0x2C, i + 1 < p.count, p[i + 1].isDigit else { return }
        i += 1
        while i < p.count, p[i].isDigit { i += 1 }
    }

    mutating func skipOrdinalSuffix() {
        guard i + 1 < p.count else { return }
        let a = p[i] | 0x20, b = p[i + 1] | 0x20
        if (a == 0x73 && b == 0x74) || (a == 0x6E && b == 0x64) || (a == 0x72 && b == 0x64) || (a == 0x74 && b == 0x68),
           i + 2 >= p.count || !p[i + 2].isLetter {
            i += 2
        }
    }

    mutating func skipComment() {
        while i < p.count, p[i] != 0x29 { i += 1 }
        if i < p.count { i += 1 }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= 0x30 && self <= 0x39 }
    fileprivate var isLetter: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }
}
