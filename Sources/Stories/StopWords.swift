import TopicQuery

/// Words that say nothing about which event an item reports: English function words, and the
/// verbs and nouns of news writing itself ("says", "report", "new"). Rarity weighting would push
/// them down anyway; dropping them keeps short headlines from matching on their grammar while
/// the stream is young and its frequencies say little.
enum StopWords {
    static func contains(_ word: UInt64) -> Bool { set[word] != nil }

    private static let set: KeyMap<Bool> = {
        var m = KeyMap<Bool>(capacity: 256)
        for w in words.split(separator: " ") { m[WordStems.hash(String(w))] = true }
        return m
    }()

    private static let words = """
        a about above after again against all also am an and any are aren as at be because been before being below \
        between both but by can cannot could did do does doing down during each few for from further had has have \
        having he her here hers herself him himself his how i if in into is isn it its itself just let me more most \
        my myself no nor not now of off on once only or other our ours ourselves out over own same she should so \
        some such than that the their theirs them themselves then there these they this those through to too under \
        until up very was we were what when where which while who whom why will with won would you your yours \
        yourself yourselves s t don doesn didn wasn weren hasn haven hadn isn aren wouldn shouldn couldn \
        says said say saying tell tells told according report reports reported reporting news new latest update \
        updated week weeks today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday \
        year years day days time times one two first last more many much get gets got make makes made \
        via amid among per may might must shall within without across around since like just still
        """
}
