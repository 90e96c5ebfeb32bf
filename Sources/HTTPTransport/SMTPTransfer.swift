internal import CCurlLoader
public import FeedwatchCore

/// One blocking SMTP submission through libcurl (already loaded for fetching): one message to its
/// recipients, STARTTLS when the server offers it (or required), AUTH when credentials are given.
/// What to send and whether credentials may travel are decided by the caller (`SMTPSecurity`);
/// this only carries it out and reports the server's last reply.
public enum SMTPTransfer {
    public struct Envelope: Sendable {
        /// `smtp://host[:port]` or `smtps://host[:port]`.
        public var url: String
        public var from: String
        public var recipients: [String]
        public var username: String?
        public var password: String?
        /// How TLS is asked for on an `smtp://` URL (`smtps://` is TLS from the start anyway).
        public var tls: SMTPSecurity.TLS

        public init(url: String, from: String, recipients: [String], username: String? = nil, password: String? = nil,
                    tls: SMTPSecurity.TLS = .whenOffered) {
            self.url = url
            self.from = from
            self.recipients = recipients
            self.username = username
            self.password = password
            self.tls = tls
        }
    }

    /// A submission that did not end with the server taking the message.
    public struct Failure: Error, CustomStringConvertible {
        /// The server's last reply code (`451`, `550`), `nil` when none came (no connection, TLS,
        /// a timeout) or the last one was a success before the transfer failed on our side.
        public var code: Int?
        public var description: String

        public init(code: Int?, description: String) {
            self.code = code
            self.description = description
        }
    }

    /// Sends `message` (RFC 5322 bytes, CRLF line ends; libcurl dot-stuffs it and ends the DATA).
    /// `stop`: a daemon's stop; once its grace period is over the transfer is cut.
    /// - Returns: the server's final reply code (250).
    /// - Throws: `Failure`.
    public static func send(_ envelope: Envelope, message: [UInt8], timeoutSeconds: Int, stop: StopGrace = .never) throws(Failure) -> Int {
        let url = envelope.url
        if let problem = fw_curl_load() { throw Failure(code: nil, description: "\(url): \(String(cString: problem))") }
        guard let h = fw_curl_easy_init() else { throw Failure(code: nil, description: "\(url): libcurl could not create a transfer") }
        defer { fw_curl_easy_cleanup(h) }
        var recipients: UnsafeMutablePointer<curl_slist>?
        for r in envelope.recipients { recipients = fw_curl_slist_append(recipients, "<\(r)>") }
        defer { fw_curl_slist_free_all(recipients) }
        let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorText.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorText.deallocate() }
        let upload = Upload(message, stop: stop)
        let me = Unmanaged.passUnretained(upload).toOpaque()

        _ = fw_curl_setopt_str(h, CURLOPT_URL, url)
        _ = fw_curl_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorText)
        _ = fw_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = fw_curl_setopt_str(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        let level = switch envelope.tls {
        case .whenOffered: CURLUSESSL_TRY
        case .required: CURLUSESSL_ALL
        }
        _ = fw_curl_setopt_long(h, CURLOPT_USE_SSL, Int(level.rawValue))
        if let user = envelope.username { _ = fw_curl_setopt_str(h, CURLOPT_USERNAME, user) }
        if let password = envelope.password { _ = fw_curl_setopt_str(h, CURLOPT_PASSWORD, password) }
        _ = fw_curl_setopt_str(h, CURLOPT_MAIL_FROM, "<\(envelope.from)>")
        _ = fw_curl_setopt_slist(h, CURLOPT_MAIL_RCPT, recipients)
        _ = fw_curl_setopt_long(h, CURLOPT_UPLOAD, 1)
        _ = fw_curl_setopt_off(h, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count))
        _ = fw_curl_setopt_ptr(h, CURLOPT_READDATA, me)
        _ = fw_curl_setopt_callback(h, CURLOPT_READFUNCTION, Upload.read)
        // The server's reply lines come through the header callback: the last one explains a refusal.
        _ = fw_curl_setopt_ptr(h, CURLOPT_HEADERDATA, me)
        _ = fw_curl_setopt_callback(h, CURLOPT_HEADERFUNCTION, Upload.reply)
        _ = fw_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, max(1, min(10, timeoutSeconds)))
        _ = fw_curl_setopt_long(h, CURLOPT_TIMEOUT, max(1, timeoutSeconds))
        _ = fw_curl_setopt_ptr(h, CURLOPT_XFERINFODATA, me)
        _ = fw_curl_setopt_progress(h, CURLOPT_XFERINFOFUNCTION, Upload.progress)
        _ = fw_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0)

        let code = fw_curl_easy_perform(h)
        var reply = 0
        _ = fw_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &reply)
        if code == CURLE_OK { return reply }
        if code == CURLE_ABORTED_BY_CALLBACK { throw Failure(code: nil, description: "\(url): interrupted by shutdown") }
        let detail = errorText.pointee != 0 ? String(cString: errorText) : String(cString: fw_curl_easy_strerror(code))
        let refused = reply >= 400 ? reply : nil
        // "550 5.1.1 mailbox unavailable (RCPT failed: 550)": the server's words first.
        if refused != nil, let said = upload.lastRefusal { throw Failure(code: refused, description: "\(url): \(said) (\(detail))") }
        throw Failure(code: refused, description: "\(url): \(detail)")
    }

    /// The message being read by libcurl, and the server's last refusal.
    private final class Upload {
        let bytes: [UInt8]
        var offset = 0
        /// The last 4xx/5xx reply line (a refusal; a later `221 Bye` does not explain anything).
        var lastRefusal: String?
        let stop: StopGrace

        init(_ bytes: [UInt8], stop: StopGrace) {
            self.bytes = bytes
            self.stop = stop
        }

        static let read: fw_curl_data_callback = { buffer, size, count, user in
            let me = Unmanaged<Upload>.fromOpaque(user!).takeUnretainedValue()
            let n = min(size * count, me.bytes.count - me.offset)
            guard n > 0, let buffer else { return 0 }
            me.bytes.withUnsafeBufferPointer { src in
                UnsafeMutableRawPointer(buffer).copyMemory(from: src.baseAddress! + me.offset, byteCount: n)
            }
            me.offset += n
            return n
        }

        static let reply: fw_curl_data_callback = { data, size, count, user in
            let me = Unmanaged<Upload>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            guard let data else { return n }
            let line = String(decoding: UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: n), as: UTF8.self)
            let text = line.trimmingWhitespace()
            if text.hasPrefix("4") || text.hasPrefix("5") {
                me.lastRefusal = String(text.unicodeScalars.map { $0.value < 0x20 ? " " : Character($0) }.prefix(300))
            }
            return n
        }

        static let progress: fw_curl_progress_callback = { user, _, _, _, _ in
            Unmanaged<Upload>.fromOpaque(user!).takeUnretainedValue().stop.isExpired ? 1 : 0
        }
    }
}

/// Whether and how an SMTP submission uses TLS, decided before anything is sent: credentials
/// travel only over TLS, except to a loopback server (a local relay, a test).
public enum SMTPSecurity {
    public enum TLS: String, Sendable, Equatable, CaseIterable {
        /// STARTTLS whenever the server offers it; plain text otherwise.
        case whenOffered = "auto"
        /// STARTTLS or nothing: the transfer fails if the server does not offer it.
        case required
    }

    /// The TLS level to ask for: the configured one, raised to `required` when credentials would
    /// otherwise be sent in the clear to a server that is not on this machine. `smtps://` is TLS
    /// from the first byte whatever this says.
    public static func tls(url: String, configured: TLS, hasCredentials: Bool) -> TLS {
        if configured == .required || !hasCredentials { return configured }
        return isLoopback(host: host(of: url)) ? configured : .required
    }

    /// `smtp://[user@]host[:port][/…]` → `host` (brackets of an IPv6 literal removed), lower-cased.
    public static func host(of url: String) -> String {
        let hostPort = Substring(URLText.hostAndPort(of: url))
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") { return String(hostPort[hostPort.index(after: hostPort.startIndex)..<close]) }
        return String(hostPort.prefix { $0 != ":" })
    }

    /// `localhost`, `127.0.0.0/8`, `::1`.
    public static func isLoopback(host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
