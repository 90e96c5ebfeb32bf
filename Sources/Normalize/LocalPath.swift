internal import Glibc

/// File-system paths made absolute and free of `.`/`..` segments, so that one file has one
/// `file:` URL however it was named (on the command line or in the config).
public enum LocalPath {
    /// `path` made absolute against `directory` (default: the working directory).
    public static func absolute(_ path: String, relativeTo directory: String? = nil) -> String {
        let joined = path.hasPrefix("/") ? path : (directory ?? currentDirectory()) + "/" + path
        var parts: [Substring] = []
        for segment in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(segment)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The path of a `file:` URL (`file:///a/b%20c` is `/a/b c`), percent-escapes decoded.
    public static func fromFileURL(_ url: String) -> String {
        var rest = Substring(url)
        if rest.lowercased().hasPrefix("file://") { rest = rest.dropFirst(7) } else if rest.lowercased().hasPrefix("file:") { rest = rest.dropFirst(5) }
        var bytes: [UInt8] = []
        var it = Array(rest.utf8)[...]
        while let b = it.popFirst() {
            if b == 0x25, it.count >= 2, let hi = hex(it[it.startIndex]), let lo = hex(it[it.startIndex + 1]) {
                bytes.append(hi << 4 | lo)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x37
        case 0x61...0x66: b - 0x57
        default: nil
        }
    }

    /// The directory part of a path (`.` for a bare file name).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
