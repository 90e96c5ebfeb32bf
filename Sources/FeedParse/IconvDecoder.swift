import Glibc

/// Streams bytes in a legacy charset to UTF-8 through glibc's iconv. A multi-byte character cut by
/// a chunk boundary is kept until the next chunk; bytes the charset does not define become U+FFFD.
final class IconvDecoder {
    private let handle: iconv_t
    private var pending: [UInt8] = []
    private(set) var invalidBytes = 0
    let name: String

    /// `nil` when iconv does not know `charset`.
    init?(from charset: String) {
        let h = iconv_open("UTF-8", charset)
        guard let h, Int(bitPattern: h) != -1 else { return nil }
        handle = h
        name = charset
    }

    deinit { iconv_close(handle) }

    func decode(_ input: UnsafeBufferPointer<UInt8>, final: Bool, into out: inout [UInt8]) {
        var data = pending
        pending.removeAll()
        data.append(contentsOf: input)
        var scratch = [UInt8](repeating: 0, count: max(4096, data.count * 3))
        data.withUnsafeMutableBytes { inBuf in
            scratch.withUnsafeMutableBytes { outBuf in
                var inPtr = inBuf.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                while inLeft > 0 {
                    var outPtr = outBuf.baseAddress?.assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuf.count
                    let r = iconv(handle, &inPtr, &inLeft, &outPtr, &outLeft)
                    let err = errno
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: outBuf[0..<(outBuf.count - outLeft)]))
                    guard r == -1 else { continue }
                    if err == E2BIG { continue }
                    if err == EINVAL && !final {
                        // An incomplete character at the end: wait for the rest of it.
                        pending = Array(UnsafeRawBufferPointer(start: inPtr, count: inLeft))
                        return
                    }
                    // EILSEQ, or a character cut off by the end of the document.
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    invalidBytes += 1
                    inPtr = inPtr.map { $0 + 1 }
                    inLeft -= 1
                }
            }
        }
        if final {
            // Return stateful encodings (ISO-2022-*) to their initial state.
            var outPtr: UnsafeMutablePointer<CChar>? = nil
            var outLeft = 0
            _ = iconv(handle, nil, nil, &outPtr, &outLeft)
        }
    }
}
