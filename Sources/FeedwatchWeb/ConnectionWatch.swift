import CSocketInfo
import FeedwatchCore
import Glibc
import Logging
import Web

/// Holds the server's connections to `ConnectionBudget`: once a second, the kernel's counters of
/// every connection accepted on the server's port, and a `shutdown` of those the budget ends —
/// FlyingFox then sees its read end and closes the connection as it does any other (with a reset).
///
/// From outside because FlyingFox has no hook between accepting a connection and reading its
/// request. Each connection is found through /proc/self/fd and measured on its own descriptor,
/// which is never duplicated or closed here: closing any descriptor of a file drops every POSIX
/// lock the process holds on it, and the store's SQLite connection in this process depends on
/// its locks (a `dup` and `close` of every descriptor once a second would drop them). The
/// descriptor's inode is checked again just before a shutdown, so a number the server closed and
/// reused meanwhile for another connection is left alone. Costs a handful of system calls per
/// open connection per second.
final class ConnectionWatch: Sendable {
    private let port: UInt16
    private let budget: ConnectionBudget
    private let log: Logger

    private init(port: UInt16, budget: ConnectionBudget, log: Logger) {
        self.port = port
        self.budget = budget
        self.log = log
    }

    /// Starts the watch on its own thread, for the life of the process.
    static func start(port: Int, budget: ConnectionBudget = .standard, log: Logger) throws -> WorkerThread {
        let watch = ConnectionWatch(port: UInt16(port), budget: budget, log: log)
        return try WorkerThread {
            var tracks: [UInt: ConnectionBudget.Track] = [:]
            while true {
                tracks = watch.pass(tracks)
                usleep(1_000_000)
            }
        }
    }

    /// One look at every connection; returns the tracks of those still open.
    private func pass(_ tracks: [UInt: ConnectionBudget.Track]) -> [UInt: ConnectionBudget.Track] {
        guard let dir = opendir("/proc/self/fd") else { return tracks }
        defer { closedir(dir) }
        let own = dirfd(dir)
        var kept: [(key: (fd: Int32, inode: UInt), track: ConnectionBudget.Track)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd != own else { continue }
            guard let (inode, counters) = accepted(fd) else { continue }
            let (track, verdict) = budget.judge(tracks[inode], .init(received: counters.bytes_received, acked: counters.bytes_acked,
                                                                     now: Monotonic.seconds()))
            if let reason = verdict.reason {
                end(fd, inode: inode, reason: reason)
            } else {
                kept.append(((fd, inode), track))
            }
        }
        let surplus = budget.surplus(kept)
        let reason = ConnectionBudget.Verdict.overCap(connections: budget.maxConnections).reason ?? ""
        for (fd, inode) in surplus { end(fd, inode: inode, reason: reason) }
        let ended = Set(surplus.map(\.inode))
        var next: [UInt: ConnectionBudget.Track] = [:]
        for (key, track) in kept where !ended.contains(key.inode) { next[key.inode] = track }
        return next
    }

    /// Resets the connection `fd` is, unless the number was closed and reused meanwhile.
    private func end(_ fd: Int32, inode: UInt, reason: String) {
        let client = peer(fd)
        guard Self.inode(fd) == inode else { return }  // closed meanwhile, the number reused
        // Lingering zero: the close that follows resets the connection, so a client still
        // sending learns at once, and nothing waits in the kernel to be delivered.
        var abort = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
        log.notice("closed the connection from \(client): \(reason)")
    }

    /// The socket's inode and counters, if it is an established TCP connection on our port: not
    /// the listening socket, nor the store's connection (Linux never gives an outgoing connection
    /// a local port that a socket is bound to).
    private func accepted(_ fd: Int32) -> (UInt, fw_tcp_counters)? {
        guard let inode = Self.inode(fd) else { return nil }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0, Self.port(of: address) == port else { return nil }
        var counters = fw_tcp_counters()
        guard fw_tcp_counters_get(fd, &counters) == 0, counters.state == UInt8(TCP_ESTABLISHED) else { return nil }
        return (inode, counters)
    }

    /// The inode of the socket `fd` is, or nil when it is no socket.
    private static func inode(_ fd: Int32) -> UInt? {
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK else { return nil }
        return UInt(status.st_ino)
    }

    private static func port(of address: sockaddr_storage) -> UInt16? {
        withUnsafeBytes(of: address) { raw in
            switch Int32(address.ss_family) {
            case AF_INET: UInt16(bigEndian: raw.loadUnaligned(as: sockaddr_in.self).sin_port)
            case AF_INET6: UInt16(bigEndian: raw.loadUnaligned(as: sockaddr_in6.self).sin6_port)
            default: nil
            }
        }
    }

    /// "address:port" of the client, for the log.
    private func peer(_ fd: Int32) -> String {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard got == 0, let port = Self.port(of: address) else { return "?" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = Int32(address.ss_family)
        let written = withUnsafeBytes(of: address) { raw -> Bool in
            if family == AF_INET {
                var host = raw.loadUnaligned(as: sockaddr_in.self).sin_addr
                return inet_ntop(AF_INET, &host, &text, socklen_t(text.count)) != nil
            }
            var host = raw.loadUnaligned(as: sockaddr_in6.self).sin6_addr
            return inet_ntop(AF_INET6, &host, &text, socklen_t(text.count)) != nil
        }
        guard written else { return "?" }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
