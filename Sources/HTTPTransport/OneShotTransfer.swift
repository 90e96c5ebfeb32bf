internal import CCurlLoader
import FeedwatchCore

/// One blocking HTTP(S) GET, for one-shot commands (`parse`, `classify`) that fetch a single
/// document: the daemon's many concurrent transfers need the multi interface, one command line
/// does not. The body is handed over as it arrives, so the parser works while bytes download.
public enum OneShotTransfer {
    /// Fetches `url`, following up to `limits.maxRedirects` redirects to http/https URLs only, and
    /// passes the final response's body to `body` chunk by chunk. A throw from `body` aborts the
    /// transfer and is rethrown. The poller's `FeedFetcher`, with one request.
    ///
    /// - Throws: `TransferError` for network failures, HTTP status ≥ 400 and the size cap.
    @discardableResult
    public static func get(_ url: String, limits: TransferLimits,
                           body: (ResponseHead, UnsafeBufferPointer<UInt8>) throws -> Void) throws -> ResponseHead {
        var result: FetchResponse?
        try FeedFetcher(concurrency: 1, perHost: 1, limits: limits).run([FetchRequest(url: url)]) { _, head, chunk in
            try body(head, chunk)
        } done: { _, response in
            result = response
        }
        guard let response = result else { throw TransferError.failed(url: url, reason: "no response") }
        if let error = response.error { throw error }
        guard response.status < 400 else { throw TransferError.http(url: response.url, status: response.status) }
        return ResponseHead(status: response.status, url: response.url, contentType: response.contentType)
    }

    static let accept = "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
        + "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

    static func configure(_ h: UnsafeMutableRawPointer, url: String, limits: TransferLimits,
                                  headers: inout UnsafeMutablePointer<curl_slist>?, errorBuffer: UnsafeMutablePointer<CChar>) {
        configureCommon(h, url: url, errorBuffer: errorBuffer)
        // Only http and https, also after a redirect: a feed must never make us read a local file.
        _ = fw_curl_setopt_str(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = fw_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 1)
        _ = fw_curl_setopt_long(h, CURLOPT_MAXREDIRS, limits.maxRedirects)
        _ = fw_curl_setopt_str(h, CURLOPT_ACCEPT_ENCODING, "")  // every decoder libcurl has
        _ = fw_curl_setopt_ptr(h, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers))
        _ = fw_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, limits.connectTimeoutSeconds)
        _ = fw_curl_setopt_long(h, CURLOPT_TIMEOUT, limits.timeoutSeconds)
        // A server that drips bytes is cut off long before the total timeout would.
        _ = fw_curl_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, limits.lowSpeedBytesPerSecond)
        _ = fw_curl_setopt_long(h, CURLOPT_LOW_SPEED_TIME, limits.lowSpeedSeconds)
        // A declared Content-Length over the cap fails before any byte is read.
        _ = fw_curl_setopt_off(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limits.maxBytes))
    }
}

extension OneShotTransfer {
    /// What every transfer of ours sets, feeds and webhooks alike: the URL, an error buffer, no
    /// signals (we run threads), http/https only, our User-Agent.
    static func configureCommon(_ h: UnsafeMutableRawPointer, url: String, errorBuffer: UnsafeMutablePointer<CChar>) {
        _ = fw_curl_setopt_str(h, CURLOPT_URL, url)
        _ = fw_curl_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = fw_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = fw_curl_setopt_str(h, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = fw_curl_setopt_str(h, CURLOPT_USERAGENT, "feedwatch/\(FeedwatchVersion.string) (+\(FeedwatchVersion.projectURL))")
    }
}

/// What one transfer may take.
public struct TransferLimits: Sendable {
    public var maxBytes: Int
    public var timeoutSeconds = 30
    public var connectTimeoutSeconds = 10
    public var lowSpeedBytesPerSecond = 256
    public var lowSpeedSeconds = 15
    public var maxRedirects = 5

    public init(maxBytes: Int, timeoutSeconds: Int = 30) {
        self.maxBytes = maxBytes
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = min(10, timeoutSeconds)
        self.lowSpeedSeconds = max(1, min(15, timeoutSeconds / 2))
    }
}

/// The final response's status line and the headers the parser needs.
public struct ResponseHead: Sendable, Equatable {
    public var status: Int
    /// The URL after redirects: relative links in the document resolve against it.
    public var url: String
    public var contentType: String?

    /// The `charset` parameter of `Content-Type`, if any.
    public var charset: String? { contentType.flatMap(ContentType.charset) }
}

/// Reading the response line and headers libcurl has parsed.
enum ResponseInfo {
    static func head(_ h: UnsafeMutableRawPointer) -> ResponseHead {
        var status = 0
        _ = fw_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        var url: UnsafeMutablePointer<CChar>?
        _ = fw_curl_getinfo_str(h, CURLINFO_EFFECTIVE_URL, &url)
        var type: UnsafeMutablePointer<CChar>?
        _ = fw_curl_getinfo_str(h, CURLINFO_CONTENT_TYPE, &type)
        return ResponseHead(status: status, url: url.map { String(cString: $0) } ?? "", contentType: type.map { String(cString: $0) })
    }
}
