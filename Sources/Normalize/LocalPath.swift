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
