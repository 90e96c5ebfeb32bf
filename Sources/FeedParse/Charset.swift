/// Maps the charset labels found in XML declarations and HTTP headers to what glibc's iconv
/// should decode. Like browsers (WHATWG Encoding), a label is read as the superset that real
/// documents so labelled turn out to use: "ISO-8859-1" documents contain windows-1252 quotes,
/// "GB2312" ones GBK characters, "Shift_JIS" ones Microsoft's extensions.
enum Charset: Equatable {
    case utf8
    case iconv(String)

    init?(label raw: String) {
        let label = raw.trimmingASCIISpaces().lowercased()
        switch label {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "us-ascii", "ascii", "ansi_x3.4-1968", "":
            self = .utf8
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819",
             "windows-1252", "cp1252", "x-cp1252":
            self = .iconv("WINDOWS-1252")
        case "gb2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "euc-cn", "csgb2312", "gb18030":
            self = .iconv("GB18030")
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "cp932", "csshiftjis":
            self = .iconv("CP932")
        case "euc-kr", "ks_c_5601-1987", "cp949", "windows-949", "csEUCKR", "korean":
            self = .iconv("CP949")
        case "utf-16", "utf16":
            self = .iconv("UTF-16")
        default:
            guard label.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
            self = .iconv(label.uppercased())
        }
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
