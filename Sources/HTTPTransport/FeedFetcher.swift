internal import CCurlLoader
import FeedwatchCore

/// One feed to fetch in a poll cycle, with the validators stored from its last response.
public struct FetchRequest: Sendable {
    public var url: String
    public var etag: String?
    public var lastModified: String?

    public init(url: String, etag: String? = nil, lastModified: String? = nil) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// How a fetch ended.
public struct FetchResponse: Sendable {
    /// The final response's status; 0 when none came (network failure).
    public var status: Int
    /// The URL after redirects.
    public var url: String
    /// The final response's headers that feedwatch acts on (`FetchContext.wantedHeaders`), names
    /// lower-cased (the last of repeated ones).
    public var headers: [String: String]
    /// Where the feed now lives, when every redirect on the way was permanent (301/308).
    public var permanentRedirect: String?
    /// Network failure, timeout, size cap, or an error thrown by the body consumer.
    public var error: Error?
    /// From the transfer's start (not its wait in the queue) to its end, for `/metrics`.
    public var seconds: Double?

    public init(status: Int, url: String, headers: [String: String] = [:], permanentRedirect: String? = nil, error: Error? = nil) {
        self.status = status
        self.url = url
        self.headers = headers
        self.permanentRedirect = permanentRedirect
        self.error = error
    }

    public var contentType: String? { headers["content-type"] }
    public var charset: String? { contentType.flatMap(ContentType.charset) }
}

/// Fetches many feeds at once through libcurl's multi interface, on the calling thread: at most
/// `concurrency` transfers in flight and `perHost` to any one host, connections reused,
/// conditional requests, every content encoding, the limits of `TransferLimits`. Bodies of 2xx
/// responses are handed over as they arrive; 304s and error pages have none to hand over.
public final class FeedFetcher {
    public let concurrency: Int
    public let perHost: Int
    public let limits: TransferLimits

    public init(concurrency: Int, perHost: Int, limits: TransferLimits) {
        self.concurrency = max(1, concurrency)
        self.perHost = max(1, perHost)
        self.limits = limits
    }

    /// Runs every request. `body(i, head, chunk)` receives request `i`'s body; a throw aborts that
    /// transfer (its error is reported to `done`). `done(i, response)` is called once per request,
    /// in completion order. Once `stopRequested()` says so (it is asked about once a second), no
    /// transfer starts; those running get `grace` seconds, then are cut; every request not
    /// completed ends with `TransferError.interrupted`.
    public func run(_ requests: [FetchRequest], stopRequested: () -> Bool = { false }, grace: Int64 = 5,
                    body: (Int, ResponseHead, UnsafeBufferPointer<UInt8>) throws -> Void,
                    done: (Int, FetchResponse) -> Void) throws {
        if let problem = fw_curl_load() { throw TransferError.failed(url: requests.first?.url ?? "", reason: String(cString: problem)) }
        guard let multi = fw_curl_multi_init() else { throw TransferError.failed(url: "", reason: "libcurl could not start") }
        defer { _ = fw_curl_multi_cleanup(multi) }
        _ = fw_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, concurrency)
        _ = fw_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, perHost)

        withoutActuallyEscaping(body) { body in
            // Requests wait in one queue per host, taken round-robin, so a long list on one host
            // neither blocks others nor costs a scan of the whole list per completed transfer.
            var queues: [String: ArraySlice<Int>] = [:]
            var hostOrder: [String] = []
            for index in requests.indices {
                let host = Self.host(of: requests[index].url)
                if queues[host] == nil { hostOrder.append(host) }
                queues[host, default: []].append(index)
            }
            var nextHost = 0
            var active: [UnsafeMutableRawPointer: FetchContext] = [:]
            // Finished handles are reset and reused: creating and freeing one per transfer was a
            // sixth of a cycle of 10,000 304s.
            var idle: [UnsafeMutableRawPointer] = []
            defer { for handle in idle { fw_curl_easy_cleanup(handle) } }
            var perHostActive: [String: Int] = [:]

            func startEligible() {
                var idleRounds = 0
                while active.count < concurrency && !hostOrder.isEmpty && idleRounds < hostOrder.count {
                    if nextHost >= hostOrder.count { nextHost = 0 }
                    let host = hostOrder[nextHost]
                    guard perHostActive[host, default: 0] < perHost, let index = queues[host]?.popFirst() else {
                        if queues[host]?.isEmpty ?? true {
                            queues[host] = nil
                            hostOrder.remove(at: nextHost)
                        } else {
                            nextHost += 1
                        }
                        idleRounds += 1
                        continue
                    }
                    idleRounds = 0
                    nextHost += 1
                    guard let handle = idle.popLast() ?? fw_curl_easy_init() else {
                        done(index, FetchResponse(status: 0, url: requests[index].url,
                                                  error: TransferError.failed(url: requests[index].url, reason: "libcurl could not create a transfer")))
                        continue
                    }
                    let context = FetchContext(index: index, request: requests[index], handle: handle, host: host, body: body)
                    context.configure(limits)
                    active[handle] = context
                    perHostActive[host, default: 0] += 1
                    _ = fw_curl_multi_add_handle(multi, handle)
                }
            }

            var stopDeadline: Int64?
            func interrupt(_ index: Int) {
                done(index, FetchResponse(status: 0, url: requests[index].url, error: TransferError.interrupted(url: requests[index].url)))
            }

            startEligible()
            while !active.isEmpty {
                if stopDeadline == nil, stopRequested() {
                    // Nothing new starts; what runs gets a grace period.
                    stopDeadline = Int64(Monotonic.seconds()) + grace
                    for host in hostOrder { for index in queues[host] ?? [] { interrupt(index) } }
                    queues = [:]
                    hostOrder = []
                }
                if let deadline = stopDeadline, Int64(Monotonic.seconds()) >= deadline {
                    for (handle, context) in active {
                        _ = fw_curl_multi_remove_handle(multi, handle)
                        fw_curl_easy_cleanup(handle)
                        interrupt(context.index)
                    }
                    active = [:]
                    break
                }
                var running: Int32 = 0
                _ = fw_curl_multi_perform(multi, &running)
                var queued: Int32 = 0
                while let message = fw_curl_multi_info_read(multi, &queued) {
                    guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                          let context = active.removeValue(forKey: handle) else { continue }
                    let code = message.pointee.data.result
                    _ = fw_curl_multi_remove_handle(multi, handle)
                    perHostActive[context.host, default: 1] -= 1
                    done(context.index, context.finish(code, limits))
                    fw_curl_easy_reset(handle)
                    idle.append(handle)
                    startEligible()
                }
                if !active.isEmpty {
                    var ready: Int32 = 0
                    _ = fw_curl_multi_poll(multi, 1_000, &ready)
                }
            }
        }
    }

    /// The host part of a URL, lower-cased (with its port), for per-host limits and Retry-After.
    public static func host(of url: String) -> String { URLText.hostAndPort(of: url) }
}

/// One transfer's state, shared with libcurl's callbacks.
final class FetchContext {
    let index: Int
    let request: FetchRequest
    let handle: UnsafeMutableRawPointer
    let host: String
    let body: (Int, ResponseHead, UnsafeBufferPointer<UInt8>) throws -> Void
    /// Made when the transfer is handed to libcurl.
    private let started = Monotonic.seconds()
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes its error message here during the transfer: memory that never moves.
    private let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// Headers of the response being received (a redirect's, then the next one's…).
    private var headers: [String: String] = [:]
    /// Status of each response, in order: redirects, then the final one.
    private var statuses: [Int] = []
    private var head: ResponseHead?
    private var error: Error?

    init(index: Int, request: FetchRequest, handle: UnsafeMutableRawPointer, host: String,
         body: @escaping (Int, ResponseHead, UnsafeBufferPointer<UInt8>) throws -> Void) {
        self.index = index
        self.request = request
        self.handle = handle
        self.host = host
        self.body = body
        errorText.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        fw_curl_slist_free_all(headerList)
        errorText.deallocate()
    }

    func configure(_ limits: TransferLimits) {
        headerList = fw_curl_slist_append(nil, "Accept: " + OneShotTransfer.accept)
        if let etag = request.etag { headerList = fw_curl_slist_append(headerList, "If-None-Match: " + etag) }
        if let date = request.lastModified { headerList = fw_curl_slist_append(headerList, "If-Modified-Since: " + date) }
        OneShotTransfer.configure(handle, url: request.url, limits: limits, headers: &headerList, errorBuffer: errorText)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = fw_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, me)
        _ = fw_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, Self.write)
        _ = fw_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, me)
        _ = fw_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, Self.header)
    }

    func finish(_ code: CURLcode, _ limits: TransferLimits) -> FetchResponse {
        let final = head ?? ResponseInfo.head(handle)
        var response = FetchResponse(status: final.status, url: final.url.isEmpty ? request.url : final.url,
                                     headers: headers, permanentRedirect: nil, error: error)
        response.seconds = Monotonic.seconds() - started
        if statuses.count > 1, statuses.dropLast().allSatisfy({ $0 == 301 || $0 == 308 }), response.url != request.url {
            response.permanentRedirect = response.url
        }
        if response.error == nil, code != CURLE_OK {
            let detail = String(cString: errorText)
            response.error = TransferError(code: code, url: request.url, detail: detail, limits: limits)
        }
        return response
    }

    static let write: fw_curl_data_callback = { data, size, count, user in
        let context = Unmanaged<FetchContext>.fromOpaque(user!).takeUnretainedValue()
        let n = size * count
        let head = context.head ?? ResponseInfo.head(context.handle)
        context.head = head
        guard (200..<300).contains(head.status), n > 0, let data else { return n }
        do {
            try context.body(context.index, head, UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: n))
            return n
        } catch {
            context.error = error
            return 0
        }
    }

    /// One header line at a time; a status line starts a new response (after a redirect). Only
    /// the headers feedwatch acts on are kept, and a line is looked at as bytes: this runs for
    /// every header of every response, thousands per cycle, and most are of no interest.
    static let header: fw_curl_data_callback = { data, size, count, user in
        let context = Unmanaged<FetchContext>.fromOpaque(user!).takeUnretainedValue()
        let n = size * count
        guard let data else { return n }
        let line = UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: n)
        if line.starts(with: "HTTP/".utf8) {
            let parts = line.split(separator: 0x20, maxSplits: 2)
            context.statuses.append(parts.count > 1 ? Int(String(decoding: parts[1], as: UTF8.self)) ?? 0 : 0)
            context.headers = [:]
        } else if let colon = line.firstIndex(of: 0x3A), let name = FetchContext.wantedHeader(UnsafeBufferPointer(rebasing: line[..<colon])) {
            var value = line[(colon + 1)...]
            while let b = value.first, b == 0x20 || b == 0x09 { value = value.dropFirst() }
            while let b = value.last, b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A { value = value.dropLast() }
            context.headers[name] = String(decoding: UnsafeBufferPointer(rebasing: value), as: UTF8.self)
        }
        return n
    }

    /// Response headers that `FetchResponse.headers` carries, lower-cased.
    static let wantedHeaders = ["cache-control", "content-type", "date", "etag", "expires", "last-modified", "retry-after"]

    private static func wantedHeader(_ name: UnsafeBufferPointer<UInt8>) -> String? {
        guard name.count >= 4, name.count <= 13 else { return nil }
        for wanted in wantedHeaders where wanted.utf8.count == name.count {
            if zip(wanted.utf8, name).allSatisfy({ $0 == $1 | 0x20 }) { return wanted }  // ASCII case folding
        }
        return nil
    }
}
