import FeedwatchCore
import Foundation
import HTTPTransport
import Testing
@testable import AlertDelivery

/// Composing mail is a pure function of the alerts, the addresses and the time.
@Suite struct MailMessageTests {
    let addresses = MailMessage.Addresses(from: "feedwatch@example.org", to: ["desk@example.org", "ed@example.org"])
    let date = Timestamp(year: 2026, month: 12, day: 3, hour: 12, minute: 43, second: 7)!

    func alert(_ id: String = "fw_2222", title: String = "Amazon pauses police use of Rekognition", size: Int = 3,
               story: String? = "st_1111") -> MailAlert {
        MailAlert(id: id, topics: ["police"], feed: "The Verge", headline: title,
                  link: "https://www.theverge.com/2020/6/10/amazon?utm_source=rss&utm_medium=feed&id=7#top",
                  published: "2020-06-10T20:01:00Z", summary: "Amazon is pausing police use of its facial recognition software.",
                  authors: ["Russell Brandom"], storyID: story, storySize: size)
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Header lines, unfolded.
    private func headers(_ message: String) -> [String: String] {
        let head = message.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
        var out: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            out[String(parts[0])] = String(parts[1].dropFirst())
        }
        return out
    }

    @Test func oneAlertIsAThreadedMultipartMessage() {
        let m = text(MailMessage.alert(alert(), addresses, date: date))
        let h = headers(m)
        #expect(h["Subject"] == "[feedwatch] police: Amazon pauses police use of Rekognition (story of 3)")
        #expect(h["Message-ID"] == "<fw_2222@feedwatch>")
        #expect(h["In-Reply-To"] == "<fw_1111@feedwatch>" && h["References"] == "<fw_1111@feedwatch>")
        #expect(h["Date"] == "Thu, 03 Dec 2026 12:43:07 +0000")
        #expect(h["To"] == "desk@example.org, ed@example.org")
        #expect(h["Content-Type"] == "multipart/alternative; boundary=\"=_fw_2222\"")
        #expect(m.contains("\r\n--=_fw_2222\r\nContent-Type: text/plain; charset=utf-8\r\n"))
        #expect(m.contains("\r\n--=_fw_2222\r\nContent-Type: text/html; charset=utf-8\r\n"))
        #expect(m.hasSuffix("\r\n--=_fw_2222--\r\n"))
        // Every line ends in CRLF and none is longer than 78 characters.
        #expect(!m.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(m.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 }, "\(m)")
        // The link a person sees has no tracking parameters; the publication time is the item's.
        #expect(m.contains("https://www.theverge.com/2020/6/10/amazon?id=3D7#top"))
        #expect(!m.contains("utm_"))
        #expect(m.contains("published 2020-06-10 20:01 UTC"))
    }

    @Test func theFirstAlertOfAStoryAndHealthAlertsStartThreads() {
        let first = headers(text(MailMessage.alert(alert("fw_1111", size: 1), addresses, date: date)))
        #expect(first["In-Reply-To"] == nil && first["References"] == nil)
        #expect(first["Subject"] == "[feedwatch] police: Amazon pauses police use of Rekognition")
        let health = MailAlert(id: "hl_9", topics: [], feed: "The Verge", headline: "feed failing: HTTP 500 (3 polls in a row)", isHealth: true)
        let h = headers(text(MailMessage.alert(health, addresses, date: date)))
        #expect(h["Subject"] == "[feedwatch] health: The Verge: feed failing: HTTP 500 (3 polls in a row)")
        #expect(h["In-Reply-To"] == nil)
    }

    /// RFC 2047: non-ASCII subjects are encoded words of whole characters that decode back.
    @Test func nonASCIISubjectsAreEncodedWordsThatDecodeBack() throws {
        let title = "Überwachung: Polizei setzt Gesichtserkennung ein — 监控 " + String(repeating: "é", count: 40)
        let line = MailMessage.header("Subject", "[feedwatch] police: " + title)
        #expect(line.hasSuffix("\r\n"))
        var decoded: [UInt8] = []
        for physical in line.dropFirst("Subject: ".count).components(separatedBy: "\r\n") where !physical.isEmpty {
            #expect(physical.count <= 76)
            let word = physical.trimmingCharacters(in: .whitespaces)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let data = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            #expect(String(data: data, encoding: .utf8) != nil, "a word never splits a character")
            decoded += data
        }
        #expect(String(decoding: decoded, as: UTF8.self) == "[feedwatch] police: " + title)
    }

    /// A title cannot add a header: line breaks and controls in it become spaces.
    @Test func headerValuesCannotBreakTheirLine() {
        let line = MailMessage.header("Subject", "Hi\r\nBcc: victim@example.org\u{0}")
        #expect(line == "Subject: Hi  Bcc: victim@example.org \r\n")
        let long = MailMessage.header("Subject", String(repeating: "word ", count: 40))
        #expect(long.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
        #expect(long.replacingOccurrences(of: "\r\n ", with: " ") == "Subject: " + String(repeating: "word ", count: 40) + "\r\n")
    }

    @Test func quotedPrintableKeepsLinesShortAndRoundTrips() {
        let body = "a=b café " + String(repeating: "x", count: 200) + " \nnext line \n.dot"
        let qp = MailMessage.quotedPrintable(body)
        #expect(qp.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        // Decode: soft breaks away, =XX to bytes.
        let joined = Array(qp.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var bytes: [UInt8] = []
        var i = 0
        while i < joined.count {
            if joined[i] == UInt8(ascii: "="), let v = UInt8(String(decoding: joined[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(v)
                i += 3
            } else {
                bytes.append(joined[i])
                i += 1
            }
        }
        #expect(String(decoding: bytes, as: UTF8.self) == body.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(qp.contains("line=20\r\n"), "trailing white space is escaped")
    }

    @Test func datesNameTheirWeekday() {
        #expect(MailMessage.rfc5322Date(Timestamp(secondsSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailMessage.rfc5322Date(Timestamp(year: 2020, month: 6, day: 10, hour: 20, minute: 1)!) == "Wed, 10 Jun 2020 20:01:00 +0000")
        #expect(MailMessage.rfc5322Date(Timestamp(year: 1969, month: 12, day: 31, hour: 23)!) == "Wed, 31 Dec 1969 23:00:00 +0000")
    }

    @Test func aDigestGroupsStoriesLargestFirstWithTopicCountsAndFailingFeeds() {
        var small = alert("fw_5", title: "Small story", size: 1, story: "st_5")
        small.topics = ["facial-recognition"]
        let big1 = alert("fw_1111", size: 1), big2 = alert("fw_2222", size: 2), big3 = alert("fw_3333", size: 3)
        let health = MailAlert(id: "hl_1", topics: [], feed: "Wired", headline: "feed recovered after 3 failed polls", isHealth: true)
        let m = text(MailMessage.digest([small, big1, big2, health, big3], failing: [FailingFeed(feed: "Ars", error: "HTTP 500", errorsInRow: 4)],
                                        from: Timestamp(secondsSince1970: date.secondsSince1970 - 3_600), to: date, addresses, date: date))
        let h = headers(m)
        #expect(h["Subject"] == "[feedwatch] digest: 5 alerts in 2 stories (police 3, facial-recognition 1)")
        #expect(h["Message-ID"] == "<digest.fw_5.fw_3333@feedwatch>")
        #expect(h["In-Reply-To"] == nil)
        let plain = m.replacingOccurrences(of: "=\r\n", with: "")
        let bigAt = plain.range(of: "* Amazon pauses police use of Rekognition (story of 3)")
        let smallAt = plain.range(of: "* Small story")
        #expect(bigAt != nil && smallAt != nil && bigAt!.lowerBound < smallAt!.lowerBound, "\(plain)")
        #expect(plain.contains("Topics: police 3, facial-recognition 1"))
        #expect(plain.contains("Wired: feed recovered after 3 failed polls"))
        #expect(plain.contains("Ars: HTTP 500 (4 in a row)"))
        #expect(plain.contains("5 alerts from 2026-12-03 11:43 UTC to 2026-12-03 12:43 UTC"))
    }

    /// SMTP's reply classes: 5xx permanent, 4xx and no reply retried.
    @Test func smtpRepliesMapToRetryOrDeadLetter() {
        #expect(EmailSink.failure(.init(code: 550, description: "x")).permanent)
        #expect(!EmailSink.failure(.init(code: 451, description: "x")).permanent)
        #expect(!EmailSink.failure(.init(code: nil, description: "x")).permanent)
    }

    /// Credentials go only over TLS, except to a loopback server.
    @Test func credentialsRequireTLSAwayFromLoopback() {
        #expect(SMTPSecurity.tls(url: "smtp://mail.example.org:587", configured: .whenOffered, hasCredentials: true) == .required)
        #expect(SMTPSecurity.tls(url: "smtp://mail.example.org:587", configured: .whenOffered, hasCredentials: false) == .whenOffered)
        for local in ["smtp://127.0.0.1:2525", "smtp://localhost", "smtp://[::1]:25", "smtp://u@127.1.2.3"] {
            #expect(SMTPSecurity.tls(url: local, configured: .whenOffered, hasCredentials: true) == .whenOffered, "\(local)")
        }
        #expect(SMTPSecurity.tls(url: "smtp://127.0.0.1.evil.example", configured: .whenOffered, hasCredentials: true) == .required)
        #expect(SMTPSecurity.tls(url: "smtp://localhost", configured: .required, hasCredentials: false) == .required)
    }

    @Test func displayLinksLoseTrackingParameters() {
        #expect(URLText.withoutTracking("https://a.example/x?utm_source=rss&id=3&fbclid=z#top") == "https://a.example/x?id=3#top")
        #expect(URLText.withoutTracking("https://a.example/x?UTM_Campaign=1") == "https://a.example/x")
        #expect(URLText.withoutTracking("https://a.example/x?id=1") == "https://a.example/x?id=1")
    }
}
