internal import CXML2
internal import FeedwatchCore
internal import Normalize

/// The feeds an OPML file lists (OPML 1.0 and 2.0, outlines nested at any depth): every outline
/// with an `xmlUrl`, named by its `title` or `text`.
enum OPML {
    struct Failure: Error { let message: String }

    /// An outline whose `xmlUrl` is not an http(s) URL (`feed://…`, a bare host, a path): skipped,
    /// and said, with its line, so a feed never goes missing silently.
    struct Skipped: Equatable {
        var line: Int
        var url: String
        var name: String?
    }

    /// - Returns: the feeds, and the outlines skipped (an `xmlUrl` that is not http(s)).
    static func feeds(in bytes: [UInt8], path: String) throws(Failure) -> (feeds: [(url: String, name: String?)], skipped: [Skipped]) {
        LibXML2.prepare()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let reader = bytes.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { xmlReaderForMemory($0.baseAddress, Int32($0.count), path, nil, options) }
        }
        guard let reader else { throw Failure(message: "cannot read \(path) as XML") }
        defer { xmlFreeTextReader(reader) }
        var feeds: [(url: String, name: String?)] = []
        var skipped: [Skipped] = []
        var sawRoot = false
        while true {
            let rc = xmlTextReaderRead(reader)
            if rc == 0 { break }
            guard rc == 1 else { throw Failure(message: "\(path) is not well-formed XML (near line \(xmlTextReaderGetParserLineNumber(reader)))") }
            guard xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue),
                  let name = xmlTextReaderConstLocalName(reader).map({ String(cString: $0) }) else { continue }
            if !sawRoot {
                guard name.lowercased() == "opml" else { throw Failure(message: "\(path) is not OPML: its root is <\(name)>") }
                sawRoot = true
            }
            guard name == "outline", let url = attribute(reader, "xmlUrl") ?? attribute(reader, "xmlurl") else { continue }
            let lower = url.lowercased()
            let title = attribute(reader, "title").flatMap { $0.isEmpty ? nil : $0 } ?? attribute(reader, "text").flatMap { $0.isEmpty ? nil : $0 }
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                skipped.append(Skipped(line: Int(xmlGetLineNo(xmlTextReaderCurrentNode(reader))), url: url, name: title))
                continue
            }
            feeds.append((url, title))
        }
        guard sawRoot else { throw Failure(message: "\(path) is empty") }
        return (feeds, skipped)
    }

    private static func attribute(_ reader: xmlTextReaderPtr, _ name: String) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, name) else { return nil }
        defer { fw_xml_free(value) }
        return String(cString: value).trimmingWhitespace()
    }
}
