import FeedwatchCore
import Normalize

/// RSS 0.9x, 1.0 (RDF) and 2.0, and the extension namespaces that appear in RSS items.
extension FeedBuilder {
    func startRoot(_ ns: Namespace, _ name: String, _ a: Attributes, _ base: String?) {
        let lang = a.value("lang", .xml)
        switch (name, ns) {
        case ("rss", _):
            // An <rss> root in the Atom (or any other) namespace is still RSS, and so are the
            // elements it puts in that namespace: <channel>, <item>, <title> mean what RSS says.
            if !ns.isRSS && ns != .other { rssNamespaceAlias = ns }
            let version = a.value("version")?.trimmingASCIISpaces() ?? ""
            setRoot(version.hasPrefix("0.9") ? .rss09x : .rss20, .rssRoot, base: base, language: lang)
        case ("RDF", .rdf):
            setRoot(a.declares(.rss090) ? .rss09x : .rss10, .rdfRoot, base: base, language: lang)
        case ("feed", .atom10), ("feed", .atom03):
            setRoot(ns == .atom03 ? .atom03 : .atom10, .atomFeed, base: base, language: lang)
        case ("feed", .none):
            warnings.add(line: line, "<feed> without the Atom namespace; read as Atom 1.0")
            setRoot(.atom10, .atomFeed, base: base, language: lang)
        default:
            reject("root element <\(name)> is not RSS, RDF or Atom")
        }
    }

    func startInRSSRoot(_ ns: Namespace, _ name: String, _ a: Attributes, _ base: String?) -> Role? {
        guard ns.isRSS else { return nil }
        switch name {
        case "channel": return .channel
        case "item": return beginItem(a)  // misplaced, but its meaning is clear
        default: return nil
        }
    }

    /// In RSS 0.90 and 1.0, items are siblings of the channel.
    func startInRDFRoot(_ ns: Namespace, _ name: String, _ a: Attributes, _ base: String?) -> Role? {
        guard ns.isRSS else { return nil }
        switch name {
        case "channel":
            feed.id.offer(bounded(a.value("about", .rdf).flatMap(TextAccumulator.collapse), .feedID(rank: 1)), rank: 1)
            return .channel
        case "item": return beginItem(a)
        default: return nil
        }
    }

    func startInChannel(_ ns: Namespace, _ name: String, _ a: Attributes, _ base: String?) -> Role? {
        if ns.isRSS {
            switch name {
            case "title": return capture(.feedTitle(rank: 0), .rssTitle, base)
            case "link": return capture(.feedLink, .raw, base)
            case "description": return capture(.feedDescription(rank: 0), .html, base)
            case "language": return capture(.feedLanguage(rank: 0), .raw, base)
            case "lastBuildDate": return capture(.feedUpdated(rank: 0), .raw, base)
            case "pubDate": return capture(.feedUpdated(rank: 1), .raw, base)
            case "ttl": return capture(.feedTTL, .raw, base)
            case "item": return beginItem(a)
            default: return nil  // image, textInput, cloud, skipHours …: nothing we report
            }
        }
        switch (ns, name) {
        case (.dc, "language"): return capture(.feedLanguage(rank: 1), .raw, base)
        case (.dc, "date"): return capture(.feedUpdated(rank: 2), .raw, base)
        // Dublin Core stands in for what the channel does not say itself.
        case (.dc, "title"): return capture(.feedTitle(rank: 1), .rssTitle, base)
        case (.dc, "description"): return capture(.feedDescription(rank: 1), .html, base)
        case (.dcterms, "modified"): return capture(.feedUpdated(rank: 3), .raw, base)
        case (.atom10, "link"), (.atom03, "link"):
            feedLink(a, base, alternateRank: 1)
            return nil
        case (.syndication, "updatePeriod"): return capture(.syndicationPeriod, .raw, base)
        case (.syndication, "updateFrequency"): return capture(.syndicationFrequency, .raw, base)
        default: return nil
        }
    }

    func startInItem(_ ns: Namespace, _ name: String, _ a: Attributes, _ base: String?) -> Role? {
        if ns.isAtom { return startInEntry(ns, name, a, base) }
        guard ns.isRSS else { return startItemExtension(ns, name, a, base) }
        switch name {
        case "title": return capture(.itemTitle(rank: 0), .rssTitle, base)
        case "link": return capture(.itemLink(rank: 1), .raw, base)
        case "description": return capture(.itemSummary(rank: 0), .html, base)
        case "summary": return capture(.itemSummary(rank: 0), .html, base)  // not RSS, but written
        case "pubDate": return capture(.itemPublished(rank: 0), .raw, base)
        case "guid":
            let permalink = a.value("isPermaLink")?.trimmingASCIISpaces().lowercased() != "false"
            return capture(.itemGUID(permalink: permalink), .raw, base)
        case "author": return capture(.itemAuthor(rss: true), .raw, base)
        case "category": return capture(.itemCategory, .plain, base)
        case "enclosure":
            addEnclosure(url: a.value("url"), type: a.value("type"), length: a.value("length"), base: base)
            return nil
        case "item": return beginItem(a)  // the previous item was never closed
        default: return nil
        }
    }

    /// Elements from extension namespaces, valid in RSS items and Atom entries alike.
    func startItemExtension(_ ns: Namespace, _ name: String, _ a: Attributes, _ base: String?) -> Role? {
        switch (ns, name) {
        case (.content, "encoded"): return capture(.itemContent, .html, base)
        // Dublin Core: people as RSS writes them (`email (Name)`, `Name (email)`); title, summary
        // and dates only where the item's own elements say nothing (lower ranks win).
        case (.dc, "creator"), (.dc, "author"): return capture(.itemAuthor(rss: true), .plain, base)
        case (.dc, "contributor"): return capture(.itemContributor, .plain, base)
        case (.dc, "date"): return capture(.itemUpdated(rank: 1), .raw, base)
        case (.dc, "subject"): return capture(.itemCategory, .plain, base)
        case (.dc, "title"): return capture(.itemTitle(rank: 1), .rssTitle, base)
        case (.dc, "description"): return capture(.itemSummary(rank: 1), .html, base)
        case (.dcterms, "modified"): return capture(.itemUpdated(rank: 2), .raw, base)
        case (.dcterms, "issued"): return capture(.itemPublished(rank: 1), .raw, base)
        case (.dcterms, "created"): return capture(.itemPublished(rank: 2), .raw, base)
        case (.feedburner, "origLink"): return capture(.itemLink(rank: 0), .raw, base)
        case (.media, "group"): return .mediaGroup
        default: return startInMediaGroup(ns, name, a, base)
        }
    }

    /// Media RSS `content` and `thumbnail` become enclosures, inside or outside a `media:group`.
    func startInMediaGroup(_ ns: Namespace, _ name: String, _ a: Attributes, _ base: String?) -> Role? {
        guard ns == .media else { return nil }
        switch name {
        case "content":
            addEnclosure(url: a.value("url"), type: a.value("type"), length: a.value("fileSize"), base: base)
        case "thumbnail":
            addEnclosure(url: a.value("url"), type: nil, length: nil, base: base)
        default: break
        }
        return nil
    }
}
