/// The XML namespaces whose elements Feedwatch understands. Elements are matched by namespace URI,
/// never by prefix — except that an undeclared but conventional prefix (`dc:`, `media:`, … used
/// without `xmlns:`) is mapped to its usual namespace, as such feeds are common.
enum Namespace: UInt8 {
    case none, rss090, rss10, rdf, atom10, atom03, content, dc, dcterms, media, feedburner, xhtml, syndication, xml, other

    init(uri: String) {
        switch uri {
        case "": self = .none
        case "http://my.netscape.com/rdf/simple/0.9/": self = .rss090
        case "http://purl.org/rss/1.0/": self = .rss10
        case "http://www.w3.org/1999/02/22-rdf-syntax-ns#": self = .rdf
        case "http://www.w3.org/2005/Atom": self = .atom10
        case "http://purl.org/atom/ns#": self = .atom03
        case "http://purl.org/rss/1.0/modules/content/": self = .content
        case "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/elements/1.0/": self = .dc
        case "http://purl.org/dc/terms/": self = .dcterms
        case "http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss", "http://video.search.yahoo.com/mrss": self = .media
        case "http://rssnamespace.org/feedburner/ext/1.0": self = .feedburner
        case "http://www.w3.org/1999/xhtml": self = .xhtml
        case "http://purl.org/rss/1.0/modules/syndication/": self = .syndication
        case "http://www.w3.org/XML/1998/namespace": self = .xml
        // Some RSS 2.0 feeds put their elements in a namespace of their own; they are still RSS.
        case "http://backend.userland.com/rss2", "http://blogs.law.harvard.edu/tech/rss": self = .none
        default: self = Namespace(variant: uri)
        }
    }

    /// URIs as feeds misspell them: another case, a trailing `/` or `#` added or missing, and the
    /// names Atom had before it was Atom (Echo, Pie, Necho) — matched as the reference parsers do.
    private init(variant uri: String) {
        var key = Substring(uri.lowercased())
        while let last = key.last, last == "/" || last == "#" { key = key.dropLast() }
        switch key {
        case "http://my.netscape.com/rdf/simple/0.9": self = .rss090
        case "http://purl.org/rss/1.0": self = .rss10
        case "http://www.w3.org/1999/02/22-rdf-syntax-ns": self = .rdf
        case "http://www.w3.org/2005/atom": self = .atom10
        case "http://purl.org/atom/ns", "http://purl.org/echo", "http://purl.org/pie", "http://example.com/necho",
             "http://example.com/newformat", "uri/of/echo/namespace": self = .atom03
        case "http://purl.org/rss/1.0/modules/content": self = .content
        case "http://purl.org/dc/elements/1.1", "http://purl.org/dc/elements/1.0": self = .dc
        case "http://purl.org/dc/terms": self = .dcterms
        case "http://search.yahoo.com/mrss", "http://video.search.yahoo.com/mrss": self = .media
        case "http://rssnamespace.org/feedburner/ext/1.0": self = .feedburner
        case "http://purl.org/rss/1.0/modules/syndication": self = .syndication
        case "http://backend.userland.com/rss2", "http://backend.userland.com/rss", "http://blogs.law.harvard.edu/tech/rss",
             "http://purl.org/rss/1.0/modules/rss091": self = .none
        default: self = .other
        }
    }

    /// The namespace a prefix conventionally stands for, for prefixes used without a declaration.
    init(undeclaredPrefix p: String) {
        switch p {
        case "dc": self = .dc
        case "dcterms": self = .dcterms
        case "content": self = .content
        case "media": self = .media
        case "atom", "atom10": self = .atom10
        case "feedburner": self = .feedburner
        case "sy": self = .syndication
        case "rdf": self = .rdf
        case "xml": self = .xml
        default: self = .other
        }
    }

    /// Namespaces whose elements are RSS's own (`title`, `link`, `item`, …).
    var isRSS: Bool { self == .none || self == .rss10 || self == .rss090 }
    var isAtom: Bool { self == .atom10 || self == .atom03 }
}
