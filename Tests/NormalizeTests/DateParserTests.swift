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
        ("Tue, 09 Jun 2020 09:33:00 A", "2020-06-09T10:33:00Z"),         // military A/N/M/Y, RFC 822's sign
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
        // ISO 8601 beyond RFC 3339: ordinal, week, basic format, reduced precision.
        ("2003-335", "2003-12-01T00:00:00Z"),
        ("2004-366", "2004-12-31T00:00:00Z"),
        ("2003-335T10:00:00+01:00", "2003-12-01T09:00:00Z"),
        ("2003335", "2003-12-01T00:00:00Z"),
        ("2003-W49-1", "2003-12-01T00:00:00Z"),
        ("2003-W49", "2003-12-01T00:00:00Z"),
        ("2003W491", "2003-12-01T00:00:00Z"),
        ("2003-W01-1", "2002-12-30T00:00:00Z"),
        ("2004-W53-7", "2005-01-02T00:00:00Z"),
        ("2003-W49-3T12:00:00Z", "2003-12-03T12:00:00Z"),
        ("20031201T120000Z", "2003-12-01T12:00:00Z"),
        ("20031201T1200-0500", "2003-12-01T17:00:00Z"),
        ("20031201", "2003-12-01T00:00:00Z"),
        ("2003-12", "2003-12-01T00:00:00Z"),
        ("2003", "2003-01-01T00:00:00Z"),
        // RFC 822 zones: obsolete names, military letters, odd forms.
        ("Tue, 09 Jun 2020 09:33:00 B", "2020-06-09T09:33:00Z"),     // RFC 1123: means nothing
        ("Tue, 09 Jun 2020 09:33:00 M", "2020-06-09T21:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 Y", "2020-06-08T21:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 ET", "2020-06-09T14:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 PT", "2020-06-09T17:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 GMT+0200", "2020-06-09T07:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 GMT-05:00", "2020-06-09T14:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 Etc/GMT", "2020-06-09T09:33:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 +0545", "2020-06-09T03:48:00Z"),
        ("Tue, 09 Jun 2020 09:33:00 -00:30", "2020-06-09T10:03:00Z"),
        // Blog engines.
        ("Sun Jan  4 16:29:06 PST 2004", "2004-01-05T00:29:06Z"),    // asctime
        ("Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"),    // Perforce
        // Other languages.
        ("Κυρ, 11 Ιούλ 2004 12:00:00 EST", "2004-07-11T17:00:00Z"),
        ("2004-július-13T9:15-05:00", "2004-07-13T14:15:00Z"),
        ("2004년 05월 28일  01:31:15", "2004-05-27T16:31:15Z"),
        ("2004-05-25 오후 11:23:17", "2004-05-25T14:23:17Z"),
        ("2004-05-25 오전 11:23:17", "2004-05-25T02:23:17Z"),
        ("mer., 12 févr. 2020 10:00:00 +0100", "2020-02-12T09:00:00Z"),
        ("Mittwoch, 12. Februar 2020 10:00", "2020-02-12T10:00:00Z"),
        ("12 de diciembre de 2020 10:00", "2020-12-12T10:00:00Z"),
        ("mié, 09 dic 2020 10:00:00 GMT", "2020-12-09T10:00:00Z"),
        ("2020年6月9日 09:33", "2020-06-09T09:33:00Z"),
        ("Thursday, 01-Jan-04 19:48:21 GMT", "2004-01-01T19:48:21Z"),  // RFC 850
        ("Thu, 01-Jan-2004 19:48:21 GMT", "2004-01-01T19:48:21Z"),
        ("24.11.2023 18:28", "2023-11-24T18:28:00Z"),
        ("Fr, 24.11.2023 18:28:36 +0100", "2023-11-24T17:28:36Z"),
        // Several values in one element: the first that reads.
        ("2003-12-31T10:14:55Z\n2004-01-01T00:00:00Z", "2003-12-31T10:14:55Z"),
        ("garbage; 2003-12-31", "2003-12-31T00:00:00Z"),
        ("2003-12-31T10:14:55Z 2004-01-01T00:00:00Z", "2003-12-31T10:14:55Z"),
        ("Wed, 31 Dec 2003 10:14:55 GMT | Thu, 01 Jan 2004 00:00:00 GMT", "2003-12-31T10:14:55Z"),
    ])
    func parsesTheWiderWorld(input: String, expected: String) {
        #expect(DateParser.parse(input)?.rfc3339 == expected)
    }

    @Test(arguments: ["2003-W53-1", "2003-366", "2003-W54", "2003-000", "20031301", "2004-W00-1"])
    func rejectsImpossibleISODates(input: String) {
        #expect(DateParser.parse(input) == nil)
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
