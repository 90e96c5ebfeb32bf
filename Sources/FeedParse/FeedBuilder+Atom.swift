import FeedwatchCore
import Normalize

/// Atom 1.0 (RFC 4287) and Atom 0.3, whose differences are mostly names (`tagline`, `issued`,
/// `modified`) and the `mode` attribute on text constructs.
extension FeedBuilder {
    func startInAtomFeed(_ ns: Namespace, _ name: String, _ a: Attributes, _ base: String?) -> Role? {
        guard ns.isAtom || ns == .none else { return nil }
        switch name {
        case "title": return capture(.feedTitle(rank: 0), textMode(a), base)
        case "subtitle", "tagline": return capture(.feedDescription(rank: 0), textMode(a), base)
        case "id": return capture(.feedID(rank: 0), .raw, base)
        case "updated", "modified": return capture(.feedUpdated(rank: 0), .raw, base)
        case "link":
            feedLink(a, base, alternateRank: 0)
            return nil
        case "author": return .person(.feed)
        case "entry": return beginItem(a)
        default: return nil
        }
    }

    func startInEntry(_ ns: Namespace, _ name: String, _ a: Attributes, _ base: String?) -> Role? {
        guard ns.isAtom || (ns == .none && format?.isAtom == true) else {
            return startItemExtension(ns, name, a, base)
        }
        switch name {
        case "title": return capture(.itemTitle(rank: 0), textMode(a), base)
        case "id": return capture(.itemID(rank: 0), .raw, base)
        case "published", "issued": return capture(.itemPublished(rank: 0), .raw, base)
        case "updated", "modified": return capture(.itemUpdated(rank: 0), .raw, base)
        case "summary": return capture(.itemSummary(rank: 0), textMode(a), base)
        case "content": return capture(.itemContent, a.value("src") == nil ? textMode(a) : .skip, base)
        case "author": return .person(.entry)
        case "source": return .source
        case "entry": return beginItem(a)  // the previous entry was never closed
        case "category":
            if let term = bounded(a.value("term").flatMap(TextAccumulator.collapse), .itemCategory) { item?.categories.append(term) }
            return nil
        case "link":
            let rel = a.value("rel")?.trimmingASCIISpaces().lowercased() ?? "alternate"
            if rel == "alternate" {
                item?.link.offer(bounded(resolve(a.value("href"), base), .itemLink(rank: 2)), rank: 2)
            } else if rel == "enclosure" {
                addEnclosure(url: a.value("href"), type: a.value("type"), length: a.value("length"), base: base)
            }
            return nil
        default: return nil
        }
    }

    /// Inside `atom:source` only the authors matter (they apply to the entry if it has none).
    func startInSource(_ ns: Namespace, _ name: String) -> Role? {
        ns.isAtom && name == "author" ? .person(.source) : nil
    }

    func startInPerson(_ ns: Namespace, _ name: String, _ base: String?) -> Role? {
        guard ns.isAtom || ns == .none else { return nil }
        switch name {
        case "name": return capture(.personName, .plain, base)
        case "email": return capture(.personEmail, .plain, base)
        default: return nil
        }
    }

    /// A feed-level `atom:link`: the first alternate is the feed's link, `self` its own URL.
    func feedLink(_ a: Attributes, _ base: String?, alternateRank: Int) {
        let rel = a.value("rel")?.trimmingASCIISpaces().lowercased() ?? "alternate"
        guard let href = bounded(resolve(a.value("href"), base), .feedLink) else { return }
        if rel == "alternate" {
            feed.link.offer(href, rank: alternateRank)
        } else if rel == "self" && feed.selfLink == nil {
            feed.selfLink = href
        }
    }

    /// How an Atom text construct's content is read, from `type` (1.0: `text`, `html`, `xhtml`,
    /// or for content a media type; 0.3: a MIME type) and Atom 0.3's `mode` (`xml`, `escaped`,
    /// `base64`).
    func textMode(_ a: Attributes) -> TextMode {
        let type = a.value("type")?.trimmingASCIISpaces().lowercased() ?? "text"
        let mode = a.value("mode")?.trimmingASCIISpaces().lowercased()
        let markup = ["html", "text/html", "xhtml", "application/xhtml+xml"].contains(type)
            || type.hasSuffix("+xml") || type.hasSuffix("/xml")
        if mode == "base64" { return .base64(html: markup) }
        switch type {
        case "text", "text/plain": return .plain
        case "html", "text/html": return mode == "xml" ? .xhtml : .html
        case "xhtml", "application/xhtml+xml": return mode == "escaped" ? .html : .xhtml
        default:
            if type.hasPrefix("text/") { return .plain }
            if type.hasSuffix("+xml") || type.hasSuffix("/xml") { return .xhtml }
            // RFC 4287 §4.1.3.3: any other media type is base64-encoded. (Atom 0.3 says so with
            // `mode`, and without it such content is XML we cannot show.)
            return format == .atom03 ? .skip : .base64(html: false)
        }
    }
}
