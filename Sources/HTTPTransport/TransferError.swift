internal import CCurlLoader

/// Why a document could not be fetched. Each case names the URL, as the user needs to know which.
public enum TransferError: Error, Equatable, CustomStringConvertible {
    /// DNS, connection, TLS, timeout, too many redirects, a refused redirect target …
    case failed(url: String, reason: String)
    /// The server answered with an error status.
    case http(url: String, status: Int)
    /// The body is larger than the size cap.
    case tooLarge(limit: Int)
    /// Stopped before it ended because the program is stopping: not the feed's fault.
    case interrupted(url: String)

    public var description: String {
        switch self {
        case .failed(let url, let reason): return "\(url): \(reason)"
        case .http(let url, let status): return "\(url): HTTP \(status)"
        case .tooLarge(let limit): return "document exceeds the size cap of \(limit) bytes"
        case .interrupted(let url): return "\(url): interrupted by shutdown"
        }
    }

    /// What went wrong, without the URL: for a line that already names the feed.
    public var reason: String {
        switch self {
        case .failed(_, let reason): return reason
        case .http(_, let status): return "HTTP \(status)"
        case .tooLarge: return description
        case .interrupted: return "interrupted by shutdown"
        }
    }

    init(code: CURLcode, url: String, detail: String, limits: TransferLimits) {
        switch code {
        case CURLE_FILESIZE_EXCEEDED:
            self = .tooLarge(limit: limits.maxBytes)
        case CURLE_TOO_MANY_REDIRECTS:
            self = .failed(url: url, reason: "more than \(limits.maxRedirects) redirects")
        case CURLE_UNSUPPORTED_PROTOCOL:
            self = .failed(url: url, reason: "only http and https URLs are fetched (\(detail))")
        case CURLE_OPERATION_TIMEDOUT:
            self = .failed(url: url, reason: "timed out or too slow (\(detail))")
        default:
            let text = detail.isEmpty ? String(cString: fw_curl_easy_strerror(code)) : detail
            self = .failed(url: url, reason: text)
        }
    }
}

/// Reading `Content-Type` values.
enum ContentType {
    /// The `charset` parameter: `text/xml; charset="windows-1252"` → `windows-1252`.
    static func charset(_ value: String) -> String? {
        for parameter in value.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, trim(parts[0], " \t").lowercased() == "charset" else { continue }
            let charset = trim(parts[1], " \t\"'")
            return charset.isEmpty ? nil : String(charset)
        }
        return nil
    }

    private static func trim(_ s: Substring, _ characters: String) -> Substring {
        var t = s
        while let f = t.first, characters.contains(f) { t.removeFirst() }
        while let l = t.last, characters.contains(l) { t.removeLast() }
        return t
    }
}
