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
    /// A plain note: what a command did, for a person watching.
    static func note(_ message: String) { line("feedwatch: \(message)") }

    private static func line(_ text: String) { raw(text + "\n") }

    /// Text as it is, for reports that lay out their own lines.
    static func raw(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
