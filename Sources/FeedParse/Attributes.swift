internal import CXML2
import Glibc

/// The attributes of the element being started, read in place from libxml2's SAX2 array (five
/// pointers per attribute: local name, prefix, URI, value start, value end). Valid only during the
/// callback, so nothing is copied unless asked for.
struct Attributes {
    let raw: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int
    let namespaceDeclarations: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let namespaceCount: Int

    /// The value of attribute `local` in namespace `ns` (no namespace by default).
    func value(_ local: String, _ ns: Namespace = .none) -> String? {
        guard let raw, count > 0 else { return nil }
        return local.withCString { wanted in
            for k in 0..<count {
                guard let name = raw[5 * k], strcmp(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), wanted) == 0 else { continue }
                let attributeNS: Namespace
                if let uri = raw[5 * k + 2] {
                    attributeNS = Namespace(uri: String(cString: uri))
                } else if let prefix = raw[5 * k + 1] {
                    attributeNS = Namespace(undeclaredPrefix: String(cString: prefix))
                } else {
                    attributeNS = .none
                }
                guard attributeNS == ns, let start = raw[5 * k + 3], let end = raw[5 * k + 4] else { continue }
                let value = UnsafeBufferPointer(start: start, count: end - start)
                let text = String(decoding: value, as: UTF8.self)
                // Without entity substitution libxml2 hands back an escaped `&` as "&#38;". (A byte
                // test first: String's generic `contains` costs more than the whole attribute.)
                return value.contains(0x26) ? text.replacing("&#38;", with: "&") : text
            }
            return nil
        }
    }

    /// Whether the element declares namespace `ns` (RSS 0.90 is told from 1.0 this way).
    func declares(_ ns: Namespace) -> Bool {
        guard let decl = namespaceDeclarations else { return false }
        for k in 0..<namespaceCount {
            if let uri = decl[2 * k + 1], Namespace(uri: String(cString: uri)) == ns { return true }
        }
        return false
    }
}
