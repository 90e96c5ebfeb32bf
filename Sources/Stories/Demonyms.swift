import TopicQuery

/// Words for the people or things of a place ("Chinese", "Russian") stand for the place's name:
/// "Weak Chinese trade data" and "China's exports fall" report one event, but a stemmer leaves
/// "chines" and "china" apart. A fixed list of the places most often in English news — general
/// knowledge of the language, not of any stream.
enum Demonyms {
    /// The place's stem for a demonym's stem, if it is one.
    static func place(_ stem: UInt64) -> UInt64? { table[stem] }

    private static let table: KeyMap<UInt64> = {
        let stems = WordStems(language: "en")
        func stem(_ word: String) -> UInt64 {
            var s: UInt64 = 0
            stems.forEach(word) { stem, _ in s = stem }
            return s
        }
        var m = KeyMap<UInt64>(capacity: 128)
        for pair in pairs.split(separator: " ") {
            let p = pair.split(separator: ":")
            m[stem(String(p[0]))] = stem(String(p[1]))
        }
        return m
    }()

    private static let pairs = """
        american:america british:britain chinese:china russian:russia japanese:japan german:germany \
        french:france ukrainian:ukraine european:europe indian:india korean:korea iranian:iran \
        israeli:israel syrian:syria iraqi:iraq afghan:afghanistan pakistani:pakistan turkish:turkey \
        egyptian:egypt mexican:mexico canadian:canada australian:australia italian:italy spanish:spain \
        polish:poland dutch:netherlands swiss:switzerland swedish:sweden norwegian:norway danish:denmark \
        finnish:finland irish:ireland scottish:scotland welsh:wales greek:greece portuguese:portugal \
        brazilian:brazil argentine:argentina venezuelan:venezuela colombian:colombia chilean:chile \
        cuban:cuba saudi:arabia emirati:emirates qatari:qatar yemeni:yemen libyan:libya nigerian:nigeria \
        kenyan:kenya ethiopian:ethiopia african:africa asian:asia malaysian:malaysia indonesian:indonesia \
        thai:thailand vietnamese:vietnam philippine:philippines filipino:philippines taiwanese:taiwan \
        belgian:belgium austrian:austria hungarian:hungary czech:czechia romanian:romania \
        palestinian:palestine lebanese:lebanon jordanian:jordan crimean:crimea texan:texas californian:california
        """
}
