import FeedwatchCore
import Testing

/// The one codec of the alert record: what is encoded when an alert is made decodes to the same
/// alert, with the record kept byte for byte; what is not a record is an error with its reason.
@Suite struct AlertCodecTests {
    let t = Timestamp(secondsSince1970: 1_800_000_000)

    @Test func anItemAlertRoundTrips() throws {
        let alert = Alert(id: "fw_1", emittedAt: t,
                          matches: [("police", [Alert.Match(term: "police", field: "title")]), ("face", [Alert.Match(term: "face*", field: "summary")])],
                          feed: Alert.Feed(url: "https://a.example/feed", title: "A \"quoted\" outlet"),
                          item: Alert.Item(id: "g1", title: "Police <b>buy</b> scanners", link: "https://a.example/1", published: t,
                                           summary: "Line\nbreak", authors: ["Jo"]),
                          story: Alert.Story(id: "st_1", size: 3, firstSeen: t))
        #expect(alert.record.hasPrefix(#"{"alert_id":"fw_1","emitted_at":"2027-01-15T08:00:00Z","topics":["police","face"],"matches":{"police""#))
        let back = try AlertCodec.decode(alert.record)
        #expect(back == alert && back.record == alert.record)
        #expect(back.topics == ["police", "face"] && back.matches.map(\.topic) == ["police", "face"])
        #expect(back.item == alert.item && back.story == alert.story && back.feed == alert.feed && !back.isHealth)
    }

    @Test func aHealthAlertIsACaseNotAPrefix() throws {
        let alert = Alert(id: "any-id", emittedAt: t, feed: Alert.Feed(url: "https://a.example/feed", title: nil),
                          health: Alert.Health(event: .silent, silentFor: 3 * 86_400, usualGap: 86_400))
        #expect(alert.record.contains(#""topics":["health"],"matches":{}"#) && alert.record.contains(#""item":null,"story":null"#))
        let back = try AlertCodec.decode(alert.record)
        #expect(back.isHealth && back.health == alert.health && back.headline == "feed silent for 3d (usually a new item every 1d)")
    }

    @Test func whatIsNotARecordIsAnError() {
        for bad in ["", "{", #"{"alert_id":"x"}"#, #"{"alert_id":"x","emitted_at":"yesterday","topics":[],"feed":{"url":"u"},"item":{}}"#,
                    #"{"alert_id":"x","emitted_at":"2027-01-15T08:00:00Z","topics":[],"feed":{"url":"u"}}"#] {
            #expect(throws: AlertCodec.DecodingError.self) { try AlertCodec.decode(bad) }
        }
    }
}
