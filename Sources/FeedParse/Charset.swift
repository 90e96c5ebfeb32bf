import Glibc

/// Maps the charset labels found in XML declarations and HTTP headers to what glibc's iconv
/// should decode. Like browsers (WHATWG Encoding), a label is read as the superset that real
/// documents so labelled turn out to use: "ISO-8859-1" documents contain windows-1252 quotes,
/// "GB2312" ones GBK characters, "Shift_JIS" ones Microsoft's extensions.
///
/// Labels are matched as loosely as feeds write them: any case, `_` for `-` (`iso_8859_2`), a
/// year suffix (`iso_8859_1_1987`), a `cs` prefix (`csibm861`), a bare code page number (`037`),
/// and the aliases other platforms use that glibc lacks (`cp_is`, `maccentraleurope`, `dbcs`).
enum Charset: Equatable {
    case utf8
    case iconv(String)

    init?(label raw: String) {
        let label = raw.trimmingASCIISpaces().lowercased()
        if let known = Self.superset(label) {
            self = known
            return
        }
        guard label.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        for candidate in Self.spellings(of: label) {
            if let known = Self.superset(candidate) ?? Self.aliases[candidate].flatMap(Self.superset) {
                self = known
                return
            }
            if let name = Self.aliases[candidate] ?? Self.iconvName(candidate) {
                self = .iconv(name)
                return
            }
        }
        self = .iconv(label.uppercased())  // unknown to iconv too: the caller warns
    }

    /// The labels whose documents use a superset (and UTF-8's own names), or nil.
    private static func superset(_ label: String) -> Charset? {
        switch label {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "us-ascii", "ascii", "ansi_x3.4-1968", "ansi_x3.4-1986",
             "iso646-us", "iso-ir-6", "csascii", "":
            return .utf8
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819",
             "iso-ir-100", "csisolatin1", "windows-1252", "cp1252", "x-cp1252":
            return .iconv("WINDOWS-1252")
        case "gb2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "ms936", "euc-cn", "csgb2312", "gb18030":
            return .iconv("GB18030")
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "cp932", "csshiftjis":
            return .iconv("CP932")
        case "euc-kr", "ks_c_5601-1987", "cp949", "windows-949", "cseuckr", "korean":
            return .iconv("CP949")
        case "utf-16", "utf16":
            return .iconv("UTF-16")
        default:
            return nil
        }
    }

    /// `label` and the ways it may be meant: `_` as `-`, without separators, without a year or a
    /// `cs` prefix, a bare number as an IBM code page.
    static func spellings(of label: String) -> [String] {
        var out = [label]
        func add(_ s: String) { if !s.isEmpty && !out.contains(s) { out.append(s) } }
        add(String(label.map { $0 == "_" ? "-" : $0 }))
        for s in out {
            // iso_8859_1_1987, iso-8859-2:1987
            if let cut = s.lastIndex(where: { $0 == "-" || $0 == ":" }),
               s[s.index(after: cut)...].count == 4, s[s.index(after: cut)...].allSatisfy(\.isNumber) {
                add(String(s[..<cut]))
            }
        }
        for s in out where s.hasPrefix("cs") { add(String(s.dropFirst(2))) }
        for s in out { add(String(s.filter { $0 != "-" && $0 != "_" })) }
        if label.allSatisfy(\.isNumber) { add("cp" + label) }
        return out
    }

    /// `label` as iconv spells it, when iconv knows it.
    private static func iconvName(_ label: String) -> String? {
        let name = label.uppercased()
        let h = iconv_open("UTF-8", name)
        guard let h, Int(bitPattern: h) != -1 else { return nil }
        iconv_close(h)
        return name
    }

    /// Labels other platforms (Python, Java, Windows, old Macs) give charsets that glibc knows
    /// under another name, after the spellings above are tried.
    static let aliases: [String: String] = [
        "cp_is": "CP861", "cpis": "CP861", "cp_gr": "CP869", "cpgr": "CP869", "ibm039": "CP037",
        "maccentraleurope": "MAC-CENTRALEUROPE", "mac_centeuro": "MAC-CENTRALEUROPE", "maccenteuro": "MAC-CENTRALEUROPE",
        "maclatin2": "MAC-CENTRALEUROPE", "x-mac-ce": "MAC-CENTRALEUROPE", "x-mac-centraleurroman": "MAC-CENTRALEUROPE",
        "macroman": "MACINTOSH", "x-mac-roman": "MACINTOSH", "maciceland": "MAC-IS", "x-mac-icelandic": "MAC-IS",
        "x-mac-cyrillic": "MAC-CYRILLIC", "x-mac-ukrainian": "MACUKRAINIAN",
        // Windows' "ANSI"/"DBCS" code page is the system's own; 1252 is by far the usual one.
        "dbcs": "windows-1252", "ansi": "windows-1252", "mbcs": "windows-1252",
        "cp65001": "utf-8", "u8": "utf-8", "utf": "utf-8", "utf8-ucs2": "utf-8", "utf8-ucs4": "utf-8",
        "u7": "UTF-7", "u16": "UTF-16", "unicodebigunmarked": "UTF-16BE", "unicodelittleunmarked": "UTF-16LE",
        "chinese": "gbk", "csiso58gb231280": "gbk", "eucgb2312-cn": "gbk", "euc-cn": "gbk", "iso-ir-58": "gbk",
        "korean": "euc-kr", "ks-c-5601": "euc-kr", "ksc5601": "euc-kr", "ks-x-1001": "euc-kr", "ksx1001": "euc-kr",
        "ms949": "euc-kr", "ms1361": "JOHAB", "ms950": "CP950", "mskanji": "shift_jis", "s-jis": "shift_jis",
        "x-mac-japanese": "shift_jis", "x-mac-korean": "euc-kr", "x-mac-simp-chinese": "gbk", "x-mac-trad-chinese": "BIG5",
        "u-jis": "EUC-JP", "x-euc-jp": "EUC-JP", "big5-tw": "BIG5", "csbig5": "BIG5", "hkscs": "BIG5HKSCS",
        "s-jis-2004": "SHIFT_JISX0213", "sjis-2004": "SHIFT_JISX0213", "shiftjis2004": "SHIFT_JISX0213",
        "euc-jis2004": "EUC-JISX0213", "eucjis2004": "EUC-JISX0213", "jisx0213": "EUC-JISX0213",
        "cp154": "PT154", "cyrillic-asian": "PT154", "cp866u": "CP1125", "ruscii": "CP1125",
        "cp1051": "HP-ROMAN8", "ibm1051": "HP-ROMAN8", "l9": "ISO-8859-15", "latin9": "ISO-8859-15",
        "latin": "windows-1252", "8859": "windows-1252", "iso8859": "windows-1252", "646": "us-ascii",
        "thai": "ISO-8859-11", "iso-celtic": "ISO-8859-14", "asmo-708": "ISO-8859-6", "ecma-114": "ISO-8859-6",
        "ecma-118": "ISO-8859-7", "x-user-defined": "windows-1252",
    ]

    /// Whether the charset is an EBCDIC one: `<?xm` in it is the bytes 4C 6F A7 94.
    var isEBCDIC: Bool {
        guard case .iconv(let name) = self, let decoder = IconvDecoder(from: name) else { return false }
        var out = [UInt8]()
        [UInt8]([0x4C, 0x6F, 0xA7, 0x94]).withUnsafeBufferPointer { decoder.decode($0, final: true, into: &out) }
        return out == Array("<?xm".utf8)
    }

    var isUTF16or32: Bool {
        if case .iconv(let name) = self { return name.hasPrefix("UTF-16") || name.hasPrefix("UTF-32") }
        return false
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" || f == "\"" || f == "'" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" || l == "\"" || l == "'" { s = s.dropLast() }
        return String(s)
    }
}
