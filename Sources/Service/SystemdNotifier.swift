internal import Glibc

/// The service manager's notification protocol (sd_notify(3)), written by hand so the daemon needs
/// no libsystemd: one datagram of `KEY=value` lines to the Unix socket named by `$NOTIFY_SOCKET` —
/// a path, or with a leading `@` an abstract socket. Without the variable (not under systemd, or
/// `Type=simple`) every call does nothing.
public final class SystemdNotifier: @unchecked Sendable {
    private let fd: Int32
    private var address = sockaddr_un()
    private var length: socklen_t = 0
    /// Half of `$WATCHDOG_USEC`, in seconds, when the manager wants keep-alives (and they are for us).
    public let watchdogInterval: Double?

    public init(environment: [String: String]) {
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            watchdogInterval = Double(usec) / 2_000_000
        } else {
            watchdogInterval = nil
        }
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < MemoryLayout.size(ofValue: address.sun_path),
              path.hasPrefix("/") || path.hasPrefix("@") else {
            fd = -1
            return
        }
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            if bytes[0] == 0x40 { raw[0] = 0 }  // "@name": the abstract namespace
        }
        // An abstract address is exactly as long as its name; a path also carries its NUL.
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes[0] == 0x40 ? 0 : 1))
    }

    deinit { if fd >= 0 { close(fd) } }

    public var isActive: Bool { fd >= 0 }

    /// Sends `fields` (`READY=1`, `STATUS=…`) as one datagram. Failures are ignored: a manager
    /// that went away must not take the daemon down.
    public func notify(_ fields: String...) {
        guard fd >= 0 else { return }
        let message = Array(fields.joined(separator: "\n").utf8)
        _ = withUnsafePointer(to: &address) { a in
            a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, length) }
            }
        }
    }

    /// `MONOTONIC_USEC=` for `RELOADING=1`: CLOCK_MONOTONIC now, in microseconds.
    public static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
    }
}
