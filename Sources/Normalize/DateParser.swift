public import FeedwatchCore

/// Parses the dates feeds actually contain into UTC timestamps, without `DateFormatter` (it is
/// slow, locale-sensitive and strict in the wrong places).
///
/// Two families are recognised:
/// - ISO 8601 / RFC 3339 / W3CDTF: `2020-06-09T09:33:00.5+02:00`, `2020-06-09 09:33:00`,
///   `2020-06-09`, `2020-06`, `2020`; ordinal (`2003-335`) and week (`2003-W49-1`) dates; the
///   basic format (`20031201T120000Z`, `2003335`, `2003W491`); a missing zone means UTC.
/// - RFC 822 / 1123 / 2822 and what the wild makes of them: optional (even wrong) weekday, two-digit
///   years, missing seconds, month before day, `AM`/`PM`, named zones (US, European; military
///   letters as described at `zones`), `+HHMM`, `+HH:MM`, `+HH`, `GMT+1`, `Etc/GMT`, and trailing
///   `(comments)`; `2006/09/15` after a weekday (Perforce); asctime's `Sun Jan  4 16:29:06 PST 2004`;
///   RFC 850's `Thursday, 01-Jan-04 19:48:21 GMT`; day-first numeric `24.11.2023`.
/// - Month and weekday names in other languages (French, German, Spanish, Italian, Dutch,
///   Portuguese, Hungarian, Greek abbreviations), in either family (`2004-július-13T9:15-05:00`);
///   Korean blog dates (`2004년 05월 28일 01:31:15`, `2004-05-25 오후 11:23:17`), which Korean
///   engines write in Korea's time (+09:00) without saying so.
/// An element holding several dates (one per line, or separated by `;` or `|`) gives the first
/// that reads. Anything else — or an impossible date such as hour 25 — is `nil`.
public enum DateParser {
    public static func parse(_ text: String) -> Timestamp? {
        var text = text
        return text.withUTF8 { parse(utf8: $0) }
    }

    public static func parse(utf8 p: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var s = Scanner(p)
        s.skipSpaces()
        return rfc1123(UnsafeBufferPointer(rebasing: p[s.i...])) ?? parseInFull(utf8: p) ?? firstOfSeveral(p)
    }

    /// The first value that reads, when an element holds several: split at line breaks, `;` and
    /// `|`, and — for ISO dates, which contain no spaces — at white space.
    static func firstOfSeveral(_ p: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard p.count <= 1024 else { return nil }
        func pieces(_ isSeparator: (UInt8) -> Bool) -> [UnsafeBufferPointer<UInt8>] {
            var out: [UnsafeBufferPointer<UInt8>] = []
            var start = 0
            for k in 0...p.count where k == p.count || isSeparator(p[k]) {
                if k > start { out.append(UnsafeBufferPointer(rebasing: p[start..<k])) }
                start = k + 1
            }
            return out
        }
        let lines = pieces { $0 == 0x0A || $0 == 0x0D || $0 == 0x3B || $0 == 0x7C }
        if lines.count > 1 {
            for piece in lines { if let t = parseInFull(utf8: piece) { return t } }
        }
        let words = pieces { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x2C }
        guard words.count > 1 else { return nil }
        for word in words where word.count >= 8 && word[0].isDigit {
            if let t = parseInFull(utf8: word) { return t }
        }
        return nil
    }

    /// `parse` without its shortcut for the common RSS form (tests hold the shortcut to it).
    static func parseInFull(utf8 p: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var s = Scanner(p)
        s.skipSpaces()
        if s.atEnd { return nil }
        let save = s.i
        if let n = s.number() {
            if n.digits == 4, s.peek == 0x2D || s.peek == 0x2F || s.atEnd || s.peek == 0x54 || s.peek == 0x57 || s.peek == 0x20 {
                if let t = iso(&s, year: n.value) { return t }
            } else if n.digits == 8 || n.digits == 7 {
                // ISO 8601 basic format: YYYYMMDD or YYYYDDD.
                s.i = save
                let year = s.fixed(4)!
                return n.digits == 8 ? isoTime(&s, year: year, month: s.fixed(2)!, day: s.fixed(2)!)
                    : isoTime(&s, ordinal: s.fixed(3)!, year: year)
            }
        }
        s.i = save
        return rfc822(&s)
    }

    // MARK: ISO 8601

    private static func iso(_ s: inout Scanner, year: Int) -> Timestamp? {
        var month = 1, day = 1
        let sep = s.peek
        if sep == 0x2D || sep == 0x2F {
            s.i += 1
            if s.peek == 0x57 {  // week date: -Www[-D]
                return isoWeek(&s, year: year, separated: true)
            }
            if let m = s.number() {
                if m.digits == 3 && sep == 0x2D { return isoTime(&s, ordinal: m.value, year: year) }
                guard m.digits <= 2 else { return nil }
                month = m.value
            } else if let m = monthNumber(s.word()) {
                month = m  // 2004-július-13: a month name in place of its number
            } else {
                return nil
            }
            if s.peek == sep {
                s.i += 1
                guard let d = s.number(), d.digits <= 2 else { return nil }
                day = d.value
            }
        } else if s.peek == 0x57 {
            return isoWeek(&s, year: year, separated: false)
        }
        return isoTime(&s, year: year, month: month, day: day)
    }

    /// `Www[-D]` or `WwwD` after a year: ISO week dates (week 1 holds the year's first Thursday).
    private static func isoWeek(_ s: inout Scanner, year: Int, separated: Bool) -> Timestamp? {
        s.i += 1
        guard let week = s.fixed(2), (1...53).contains(week) else { return nil }
        var weekday = 1
        if separated && s.peek == 0x2D { s.i += 1 }
        if let d = s.peek, d.isDigit {
            weekday = Int(d - 0x30)
            s.i += 1
        }
        guard (1...7).contains(weekday), (1...9999).contains(year) else { return nil }
        let days = mondayOfWeekOne(year) + (week - 1) * 7 + (weekday - 1)
        // Week 53 exists only in years whose last week reaches the next year's week 1.
        guard days < mondayOfWeekOne(year + 1) else { return nil }
        let c = Timestamp(secondsSince1970: Int64(days) * 86_400).civil
        return isoTime(&s, year: c.year, month: c.month, day: c.day)
    }

    /// Days since 1970 of the Monday of `year`'s ISO week 1, the week that holds January 4th.
    private static func mondayOfWeekOne(_ year: Int) -> Int {
        let jan4 = Timestamp.daysFromCivil(year: year, month: 1, day: 4)
        let weekday: Int = ((jan4 % 7) + 7 + 3) % 7  // 0 = Monday: 1970-01-01 was a Thursday
        return jan4 - weekday
    }

    /// The time and zone after an ordinal date `YYYY-DDD`.
    private static func isoTime(_ s: inout Scanner, ordinal: Int, year: Int) -> Timestamp? {
        guard (1...(Timestamp.isLeap(year) ? 366 : 365)).contains(ordinal) else { return nil }
        let days: Int = Timestamp.daysFromCivil(year: year, month: 1, day: 1) + ordinal - 1
        let c = Timestamp(secondsSince1970: Int64(days) * 86_400).civil
        return isoTime(&s, year: c.year, month: c.month, day: c.day)
    }

    /// The optional time and zone after an ISO date: `T09:33:00`, `T093300`, ` 09:33`, and
    /// Korean `오후 11:23:17` (with Korea's zone implied).
    private static func isoTime(_ s: inout Scanner, year: Int, month: Int, day: Int) -> Timestamp? {
        var hour = 0, minute = 0, second = 0
        var implied = 0
        if let t = s.peek, t == 0x54 || t == 0x74 || t == 0x20 {
            let save = s.i
            s.i += 1
            s.skipSpaces()
            var meridiem: Int?
            if let m = s.koreanMeridiem() {
                meridiem = m
                implied = 9 * 3600
                s.skipSpaces()
            }
            let start = s.i
            if let h = s.number(), h.digits <= 2, s.peek == 0x3A {
                guard let (mi, se) = s.minutesAndSeconds() else { return nil }
                (hour, minute, second) = (h.value, mi, se)
            } else if t != 0x20, meridiem == nil, s.i - start == 2 || s.i - start == 4 || s.i - start == 6 {
                // Basic format: hh, hhmm, hhmmss.
                s.i = start
                hour = s.fixed(2)!
                minute = s.fixed(2) ?? 0
                second = s.fixed(2) ?? 0
                s.skipFraction()
            } else {
                s.i = save
            }
            if let meridiem {
                guard (1...12).contains(hour) else { return nil }
                hour = hour % 12 + meridiem
            }
        }
        guard let z = zone(&s) else { return nil }
        let offset = z.explicit ? z.offset : implied
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
        /// A zone the words imply when none is written (Korean dates: +09:00).
        var implied = 0
        func setYear(_ n: (value: Int, digits: Int)) -> Bool {
            guard year == nil else { return false }
            year = n.digits == 2 ? (n.value < 50 ? 2000 + n.value : 1900 + n.value)
                : n.digits == 3 ? 1900 + n.value : n.value
            return true
        }
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
                if n.digits == 4, year == nil, day == nil, month == nil, let sep = s.peek, sep == 0x2F || sep == 0x2D {
                    // 2006/09/15 (Perforce) or 2006-09-15 inside a longer date.
                    s.i += 1
                    guard let m = s.number(), m.digits <= 2, s.peek == sep else { return nil }
                    s.i += 1
                    guard let d = s.number(), d.digits <= 2 else { return nil }
                    (year, month, day) = (n.value, m.value, d.value)
                    continue
                }
                if n.digits <= 2, day == nil, month == nil, year == nil, s.peek == 0x2E, let (m, y) = s.dottedMonthAndYear() {
                    // 24.11.2023 (German, Russian, … numeric dates: day first).
                    day = n.value
                    month = m
                    guard setYear(y) else { return nil }
                    continue
                }
                if let unit = s.dateUnit() {
                    // 2004년 05월 28일 (Korean), 2004年5月28日 (Chinese, Japanese).
                    implied = unit.korean ? 9 * 3600 : implied
                    switch unit.field {
                    case .year: guard setYear(n) else { return nil }
                    case .month: guard month == nil else { return nil }; month = n.value
                    case .day: guard day == nil else { return nil }; day = n.value
                    }
                    continue
                }
                s.skipOrdinalSuffix()
                if n.digits >= 3 || n.value > 31 || day != nil {
                    guard setYear(n) else { return nil }
                } else {
                    day = n.value
                }
                continue
            }
            if b == 0x2D, !haveTime, year == nil, let next = s.next, next.isLetter || (month != nil && next.isDigit) {
                s.i += 1  // 01-Jan-04 (RFC 850, HTTP's old date): the hyphens only separate
                continue
            }
            if b == 0x2B || b == 0x2D {
                guard haveTime || year != nil, let o = numericOffset(&s) else { return nil }
                offset += o
                haveZone = true
                continue
            }
            if let m = s.koreanMeridiem() {
                meridiem = m
                implied = 9 * 3600
                continue
            }
            if b.isLetter || b >= 0x80 {
                let word = s.word()
                if word.isEmpty { return nil }
                if let m = monthNumber(word) {
                    guard month == nil else { return nil }
                    month = m
                } else if isWeekday(word) {
                    continue
                } else if word == "am" || word == "pm" || word == "a.m" || word == "p.m" {
                    meridiem = word.hasPrefix("a") ? 0 : 12
                } else if word == "etc", s.peek == 0x2F {
                    s.i += 1  // Etc/GMT, Etc/UTC: the name that follows is the zone
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
                         offsetSeconds: haveZone ? offset : implied)
    }

    /// The zone after an ISO time: `Z`, a numeric offset, a name, or nothing (UTC; `explicit`
    /// false). `nil` means something unparseable follows.
    private static func zone(_ s: inout Scanner) -> (offset: Int, explicit: Bool)? {
        s.skipSpaces()
        guard let b = s.peek else { return (0, false) }
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
        return s.atEnd ? (total, true) : nil
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

    /// Month names, lower-cased in their ASCII letters only (`févr`, Greek `Ιαν` as written).
    static let months: [String: Int] = {
        var m: [String: Int] = [
            "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
            "sept": 9, "oct": 10, "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4,
            "june": 6, "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
        ]
        let others: [[String]] = [
            // French, German, Spanish, Italian, Dutch, Portuguese, Hungarian: full names and the
            // abbreviations their locales print.
            ["janvier", "janv", "januar", "jän", "enero", "ene", "gennaio", "gen", "januari", "janeiro", "január"],
            ["février", "févr", "fév", "fevrier", "februar", "febrero", "febbraio", "februari", "fevereiro", "fev", "február", "februári"],
            ["mars", "märz", "mär", "marzo", "maart", "mrt", "março", "marco", "március", "márc"],
            ["avril", "avr", "abril", "abr", "aprile", "április", "ápr"],
            ["mai", "mayo", "maggio", "mag", "mei", "maio", "május", "máj"],
            ["juin", "juni", "junio", "giugno", "giu", "junho", "június", "jún"],
            ["juillet", "juil", "juli", "julio", "luglio", "lug", "julho", "július", "júl"],
            ["août", "aout", "agosto", "ago", "augustus", "augusztus", "aug"],
            ["septembre", "septiembre", "setembro", "settembre", "set", "szeptember", "szept"],
            ["octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out", "október"],
            ["novembre", "noviembre", "novembro"],
            ["décembre", "déc", "decembre", "dezember", "dez", "diciembre", "dic", "dicembre", "dezembro"],
            // Greek abbreviations, as Greek blog engines print them (with and without accents).
            ["Ιαν"], ["Φεβ"], ["Μάώ", "Μαώ", "Μάρ", "Μαρ"], ["Απρ"], ["Μάι", "Μαϊ", "Μαι"], ["Ιούν", "Ιον", "Ιουν"],
            ["Ιούλ", "Ιολ", "Ιουλ"], ["Αύγ", "Αυγ"], ["Σεπ"], ["Οκτ"], ["Νοέ", "Νοε"], ["Δεκ"],
        ]
        for (i, names) in others.enumerated() {
            for name in names where m[name] == nil { m[name] = i < 12 ? i + 1 : i - 11 }
        }
        return m
    }()

    static func monthNumber(_ w: String) -> Int? { months[w] }

    static let weekdays: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday",
        // French, German, Spanish, Italian, Dutch, Portuguese (none is also a month name).
        "lun", "lundi", "mardi", "mer", "mercredi", "jeu", "jeudi", "ven", "vendredi", "sam", "samedi", "dim", "dimanche",
        "mo", "di", "mi", "do", "fr", "sa", "so", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
        "lunes", "martes", "mié", "miércoles", "jue", "jueves", "vie", "viernes", "sáb", "sábado", "dom", "domingo",
        "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica", "gio", "sab",
        "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "ma", "wo", "vr", "za", "zo",
        "seg", "segunda", "ter", "terça", "qua", "quarta", "qui", "quinta", "sex", "sexta", "sábado",
        // Greek abbreviations.
        "Κυρ", "Δευ", "Τρι", "Τετ", "Πεμ", "Παρ", "Σαβ",
    ]

    static func isWeekday(_ w: String) -> Bool { weekdays.contains(w) }

    /// Words that carry no date information in "June 9th, 2020 at 9:33".
    static let fillers: Set<String> = ["at", "on", "the", "of", "de", "del", "le", "à", "um", "às", "alle"]

    /// Named zones in minutes east of UTC: RFC 822's (and the obsolete ones of RFC 2822 §4.3),
    /// the US generic names (`ET`, `PT`), and the common European and Asian abbreviations.
    ///
    /// Military letters: RFC 822 got their signs backwards, so RFC 1123 §5.2.14 and RFC 2822 §4.3
    /// say a letter other than `Z` tells nothing and means UTC. Except `A`, `N`, `M` and `Y`: the
    /// mail and feed software that still writes those writes them as RFC 822 defined them (A = −1,
    /// N = +1, M = −12, Y = +12), and the reference feed parsers read them that way.
    static let zones: [String: Int] = {
        var z: [String: Int] = [
            "et": -300, "ct": -360, "mt": -420, "pt": -480,
            "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "est": -300, "edt": -240, "cst": -360,
            "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480,
            "hst": -600, "ast": -240, "adt": -180, "nst": -210, "ndt": -150, "cet": 60, "cest": 120,
            "met": 60, "mest": 120, "eet": 120, "eest": 180, "west": 60, "bst": 60, "msk": 180,
            "ist": 330, "jst": 540, "kst": 540, "hkt": 480, "sgt": 480, "awst": 480, "acst": 570,
            "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780,
        ]
        for c in "bcdefghiklopqrstuvwx" { z[String(c)] = 0 }
        z["a"] = -60
        z["n"] = 60
        z["m"] = -720
        z["y"] = 720
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

    /// Letters, ASCII ones lower-cased, non-ASCII ones (`é`, Greek) as written; and inner dots,
    /// for `a.m.`. Stops at the Korean and CJK date units, which follow numbers, not words.
    mutating func word() -> String {
        var out = [UInt8]()
        while i < p.count {
            let b = p[i]
            if b.isLetter {
                out.append(b | 0x20)
                i += 1
            } else if b >= 0x80, b != 0xC2 || i + 1 >= p.count || p[i + 1] != 0xA0, koreanMeridiemAhead == nil {
                out.append(b)
                i += 1
            } else if b == 0x2E, !out.isEmpty, i + 1 < p.count, p[i + 1].isLetter {
                out.append(b)
                i += 1
            } else {
                break
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The byte after the cursor.
    var next: UInt8? { i + 1 < p.count ? p[i + 1] : nil }

    /// `.MM.YYYY` (or `.MM.YY`) after a day; nil, with nothing consumed, for anything else.
    mutating func dottedMonthAndYear() -> (month: Int, year: (value: Int, digits: Int))? {
        let save = i
        i += 1
        guard let m = number(), m.digits <= 2, peek == 0x2E else { i = save; return nil }
        i += 1
        guard let y = number(), y.digits == 2 || y.digits == 4 else { i = save; return nil }
        return (m.value, y)
    }

    /// Exactly `n` digits, or nil (and nothing consumed).
    mutating func fixed(_ n: Int) -> Int? {
        guard i + n <= p.count else { return nil }
        var v = 0
        for k in i..<(i + n) {
            guard p[k].isDigit else { return nil }
            v = v * 10 + Int(p[k] - 0x30)
        }
        i += n
        return v
    }

    enum DateField { case year, month, day }

    /// A unit written after a number: 년/월/일 (Korean), 年/月/日 (Chinese, Japanese).
    mutating func dateUnit() -> (field: DateField, korean: Bool)? {
        let units: [([UInt8], DateField, Bool)] = [
            ([0xEB, 0x85, 0x84], .year, true), ([0xEC, 0x9B, 0x94], .month, true), ([0xEC, 0x9D, 0xBC], .day, true),
            ([0xE5, 0xB9, 0xB4], .year, false), ([0xE6, 0x9C, 0x88], .month, false), ([0xE6, 0x97, 0xA5], .day, false),
        ]
        for (bytes, field, korean) in units where i + 3 <= p.count && p[i] == bytes[0] && p[i + 1] == bytes[1] && p[i + 2] == bytes[2] {
            i += 3
            return (field, korean)
        }
        return nil
    }

    /// 오전 (AM) or 오후 (PM) at the cursor, as the hours to add (0 or 12), without consuming it.
    var koreanMeridiemAhead: Int? {
        guard i + 6 <= p.count, p[i] == 0xEC, p[i + 1] == 0x98, p[i + 2] == 0xA4, p[i + 3] == 0xEC || p[i + 3] == 0xED else { return nil }
        if p[i + 3] == 0xEC, p[i + 4] == 0xA0, p[i + 5] == 0x84 { return 0 }
        if p[i + 3] == 0xED, p[i + 4] == 0x9B, p[i + 5] == 0x84 { return 12 }
        return nil
    }

    /// Consumes 오전 or 오후.
    mutating func koreanMeridiem() -> Int? {
        guard let m = koreanMeridiemAhead else { return nil }
        i += 6
        return m
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
