import FeedwatchCore
import Normalize
import Glibc

/// A local document read in chunks (a file or standard input), so a large feed is never held
/// whole in memory before parsing.
struct DocumentInput {
    struct OpenError: Error, CustomStringConvertible {
        let description: String
    }

    let fd: Int32
    /// The `file:` URL relative links fall back to; `nil` for standard input.
    let url: String?
    private let path: String

    static func open(_ source: String) throws -> DocumentInput {
        if source == "-" { return DocumentInput(fd: 0, url: nil, path: "standard input") }
        let path = source.lowercased().hasPrefix("file://") ? String(source.dropFirst(7)) : source
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OpenError(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(fd)
            throw OpenError(description: "cannot read \(path): is a directory")
        }
        return DocumentInput(fd: fd, url: Self.fileURL(for: path), path: path)
    }

    /// Hands the document to `body` in 64 KB pieces.
    func readAll(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw OpenError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return }
            try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    func close() {
        if fd > 2 { Glibc.close(fd) }
    }

    /// `file:///abs/path` for a path, made absolute against the working directory.
    static func fileURL(for path: String) -> String {
        URLResolver.fileURL(path: LocalPath.absolute(path))
    }
}
