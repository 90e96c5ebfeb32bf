import Testing
import FeedwatchCore
@testable import Normalize

@Suite struct DateParserTests {
    @Test(arguments: [
        // RFC 822 / 1123 / 2822
        ("Tue, 09 Jun 2020 09:33:00 +0000", "2020-06-09T09:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 GMT", "2020-06-09T09:33:00Z"),
        ("Tue, 9 Jun 2020 09:33:00 -0400", "2020-06-09T13:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 +02:00", "2020-06-09T07:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 +02", "2020-06-09T07:33:00Z"),
        ("Tue, 09 Jun 2020 09:33 EDT", "2020-06-09T13:33:00Z"),          // no seconds
        ("09 Jun 2020 09:33:00 PST", "2020-06-09T17:33:00Z"),            // no weekday
        ("Fri, 09 Jun 2020 09:33:00 GMT", "2020-06-09T09:33:00Z"),       // wrong weekday
        ("Tuesday, 09 June 2020 09:33:00 CDT", "2020-06-09T14:33:00Z"),  // full names
        ("Tue, 09 Jun 20 09:33:00 GMT", "2020-06-09T09:33:00Z"),         // two-digit year
        ("Wed, 09 Jun 99 09:33:00 GMT", "1999-06-09T09:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 Z", "2020-06-09T09:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 A", "2020-06-09T10:33:00Z"),         // military, RFC 822's sign
        ("Tue, 09 Jun 2020 09:33:00 N", "2020-06-09T08:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 -0400 (EDT)", "2020-06-09T13:33:00Z"), // trailing comment
        ("Tue, 09 Jun 2020 09:33:00", "2020-06-09T09:33:00Z"),           // no zone: UTC
        ("Tue,09 Jun 2020 09:33:00 GMT", "2020-06-09T09:33:00Z"),
        ("  Tue, 09 Jun 2020 09:33:00 GMT  ", "2020-06-09T09:33:00Z"),
        ("June 9, 2020 9:33 PM EST", "2020-06-10T02:33:00Z"),           // month first, AM/PM
        ("June 9th, 2020 at 12:05 am", "2020-06-09T00:05:00Z"),
        ("tue, 09 jun 2020 09:33:00 gmt", "2020-06-09T09:33:00Z"),
        ("Sat, 29 Feb 2020 23:59:60 UT", "2020-02-29T23:59:59Z"),        // leap second folded
        // ISO 8601 / RFC 3339 / W3CDTF
        ("2020-06-09T09:33:00Z", "2020-06-09T09:33:00Z"),
        ("2020-06-09T09:33:00.123456Z", "2020-06-09T09:33:00Z"),
        ("2020-06-09T09:33:00+02:00", "2020-06-09T07:33:00Z"),
        ("2020-06-09T09:33:00-0700", "2020-06-09T16:33:00Z"),
        ("2020-06-09T09:33Z", "2020-06-09T09:33:00Z"),
        ("2020-06-09 09:33:00", "2020-06-09T09:33:00Z"),
        ("2020-06-09 09:33:00 +0100", "2020-06-09T08:33:00Z"),
        ("2020-06-09T09:33:00 UTC", "2020-06-09T09:33:00Z"),
        ("2020-06-09", "2020-06-09T00:00:00Z"),
        ("2020-06", "2020-06-01T00:00:00Z"),
        ("2020", "2020-01-01T00:00:00Z"),
        ("2020/06/09 09:33", "2020-06-09T09:33:00Z"),
        ("2020-06-09t09:33:00z", "2020-06-09T09:33:00Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        ("2020-12-31T23:30:00-01:00", "2021-01-01T00:30:00Z"),
    ])
    func parses(input: String, expected: String) {
        #expect(DateParser.parse(input)?.rfc3339 == expected)
    }

    @Test(arguments: [
        "", "   ", "not a date", "yesterday", "2020-13-01", "2020-02-30", "2020-06-09T25:00:00Z",
        "10000-01-01", "Tue, 32 Jun 2020 09:33:00 GMT", "Tue, 09 Foo 2020 09:33:00 GMT",
        "Tue, 09 Jun 2020 09:61:00 GMT", "2020-06-09T09:33:00+25:00", "Tue, 09 Jun 2020 09:33:00 XYZ",
        "2019-02-29", "12:00", "Jun 2020",
    ])
    func rejects(input: String) {
        #expect(DateParser.parse(input) == nil)
    }

    /// The fixed-position reader for `Sun, 22 Nov 2026 09:30:00 GMT` must agree with the general
    /// one on that shape and every near miss of it.
    @Test func rfc1123ShortcutAgreesWithTheGeneralReader() {
        var rng = SystemRandomNumberGenerator()
        let parts: [[String]] = [
            ["Sun", "mon", "TUE", "Wed", "Thu", "Fri", "Sat", "Xyz", "Su", "Sunday"],
            [", "], ["1", "09", "22", "31", "32", "00", "123"], [" "],
            ["Jan", "feb", "MAR", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo", "June"],
            [" "], ["2026", "1999", "0001", "26", "20266"], [" "],
            ["09:30:00", "23:59:59", "24:00:00", "25:10:00", "09:60:00", "09:30:61", "9:30:00", "09:30"],
            [" ", "  ", ""], ["GMT", "gmt", "+0000", "-0130", "+2400", "+0160", "UT", "EST", "Z", "+00:00", "GMT (comment)", ""],
            ["", " ", "\n", "x"],
        ]
        for _ in 0..<20_000 {
            var text = parts.map { $0.randomElement(using: &rng)! }.joined()
            if Int.random(in: 0..<4, using: &rng) == 0 { text = "  " + text }
            var bytes = text
            bytes.withUTF8 { p in
                #expect(DateParser.parse(utf8: p) == DateParser.parseInFull(utf8: p), "\(text)")
            }
        }
    }

    @Test func timestampRoundTrip() {
        for seconds: Int64 in [-86_400 * 365 * 300, -1, 0, 1, 951_782_400, 1_591_695_180, 253_402_300_799] {
            let t = Timestamp(secondsSince1970: seconds)
            let c = t.civil
            #expect(Timestamp(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second) == t)
        }
    }
}
