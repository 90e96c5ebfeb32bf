import Glibc

/// Writes machine output to stdout, unbuffered by stdio so large outputs stream.
enum StandardOutput {
    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    static func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(1, base + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return  // EPIPE and friends: the reader went away
            }
            offset += n
        }
    }
}

/// Diagnostics on stderr, prefixed with the program name.
enum Diagnostics {
    static func error(_ message: String) { line("feedwatch: error: \(message)") }
    static func warning(_ message: String) { line("feedwatch: warning: \(message)") }

    private static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// Byte sizes as the config writes them: `10MB`, `512KB`, `65536`.
enum ByteSize {
    static func parse(_ text: String) -> Int? {
        let t = text.uppercased().filter { $0 != " " }
        let units: [(String, Int)] = [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let n = Int(t.dropLast(suffix.count)), n > 0 else { return nil }
            return n.multipliedReportingOverflow(by: factor).overflow ? nil : n * factor
        }
        return Int(t).flatMap { $0 > 0 ? $0 : nil }
    }
}
