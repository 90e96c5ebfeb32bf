internal import CCurlLoader
public import FeedwatchCore

/// One blocking HTTP(S) POST, for webhook deliveries: a short body out, a status and the few
/// headers that say when to come back. Redirects are not followed (a webhook that moved is a
/// configuration to fix, and a 301/302 would turn the POST into a GET); the response body is read
/// and dropped, at most 64 KB of it.
public enum HTTPPost {
    public struct Response: Sendable {
        public var status: Int
        /// `Retry-After`, as sent.
        public var retryAfter: String?
    }

    /// `stop`: a daemon's stop; once its grace period is over the request is cut (no response:
    /// the delivery stays pending).
    /// - Throws: `TransferError` when no response came (connection, TLS, timeout, the stop).
    public static func send(_ url: String, headers: [(String, String)], body: [UInt8], timeoutSeconds: Int,
                            stop: StopGrace = .never) throws -> Response {
        if let problem = fw_curl_load() { throw TransferError.failed(url: url, reason: String(cString: problem)) }
        guard let h = fw_curl_easy_init() else { throw TransferError.failed(url: url, reason: "libcurl could not create a transfer") }
        defer { fw_curl_easy_cleanup(h) }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { list = fw_curl_slist_append(list, "\(name): \(value)") }
        list = fw_curl_slist_append(list, "Expect:")  // no 100-continue round trip for small bodies
        defer { fw_curl_slist_free_all(list) }
        let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorText.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorText.deallocate() }
        let capture = Capture(stop: stop)
        let me = Unmanaged.passUnretained(capture).toOpaque()

        OneShotTransfer.configureCommon(h, url: url, errorBuffer: errorText)
        _ = fw_curl_setopt_ptr(h, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list))
        _ = fw_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, max(1, min(10, timeoutSeconds)))
        _ = fw_curl_setopt_long(h, CURLOPT_TIMEOUT, max(1, timeoutSeconds))
        _ = fw_curl_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        // Copied by libcurl (the size set above says how much): the bytes need not outlive this call.
        (body.isEmpty ? [0] : body).withUnsafeBufferPointer {
            _ = fw_curl_setopt_ptr(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress!))
        }
        _ = fw_curl_setopt_ptr(h, CURLOPT_WRITEDATA, me)
        _ = fw_curl_setopt_callback(h, CURLOPT_WRITEFUNCTION, Capture.write)
        _ = fw_curl_setopt_ptr(h, CURLOPT_HEADERDATA, me)
        _ = fw_curl_setopt_callback(h, CURLOPT_HEADERFUNCTION, Capture.header)
        // Asked about once a second even while nothing moves: the stop's grace period is kept.
        _ = fw_curl_setopt_ptr(h, CURLOPT_XFERINFODATA, me)
        _ = fw_curl_setopt_progress(h, CURLOPT_XFERINFOFUNCTION, Capture.progress)
        _ = fw_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0)

        let code = fw_curl_easy_perform(h)
        var status = 0
        _ = fw_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        // A response that came but whose body we stopped reading is still a response.
        if code == CURLE_ABORTED_BY_CALLBACK {
            throw TransferError.interrupted(url: url)
        }
        if code != CURLE_OK && !(code == CURLE_WRITE_ERROR && status > 0) {
            throw TransferError(code: code, url: url, detail: String(cString: errorText), limits: TransferLimits(maxBytes: 1 << 16, timeoutSeconds: timeoutSeconds))
        }
        return Response(status: status, retryAfter: capture.retryAfter)
    }

    private final class Capture {
        var received = 0
        var retryAfter: String?
        let stop: StopGrace

        init(stop: StopGrace) { self.stop = stop }

        static let progress: fw_curl_progress_callback = { user, _, _, _, _ in
            Unmanaged<Capture>.fromOpaque(user!).takeUnretainedValue().stop.isExpired ? 1 : 0
        }

        static let write: fw_curl_data_callback = { _, size, count, user in
            let me = Unmanaged<Capture>.fromOpaque(user!).takeUnretainedValue()
            me.received += size * count
            return me.received > 1 << 16 ? 0 : size * count
        }

        static let header: fw_curl_data_callback = { data, size, count, user in
            let me = Unmanaged<Capture>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            guard let data else { return n }
            let line = String(decoding: UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: n), as: UTF8.self)
            if line.lowercased().hasPrefix("retry-after:") {
                me.retryAfter = line.dropFirst("retry-after:".count).trimmingWhitespace()
            }
            return n
        }
    }
}
