import Glibc
import Synchronization

/// The daemon's own counters, as `feedwatch run` last sent them: Prometheus exposition text,
/// each snapshot ended by a NUL byte (which the text cannot contain). Only the newest is kept.
final class ParentMetrics: Sendable {
    private let snapshot = Mutex<[UInt8]>([])

    /// The newest complete snapshot (empty before the first).
    func latest() -> [UInt8] { snapshot.withLock { $0 } }

    /// `latest`, as the metrics exposition asks for it.
    var reader: @Sendable () -> [UInt8] { { [self] in latest() } }

    /// Reads `fd` until it closes (the daemon stopped or died).
    func read(fd: Int32) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            pending += buffer[0..<n]
            if let end = pending.lastIndex(of: 0) {
                let before = pending[..<end]
                let start = before.lastIndex(of: 0).map { $0 + 1 } ?? before.startIndex
                let newest = Array(pending[start..<end])
                snapshot.withLock { $0 = newest }
                pending.removeSubrange(...end)
            }
            // A snapshot never approaches this; a runaway writer must not grow memory without end.
            if pending.count > 16 << 20 { pending.removeAll() }
        }
    }
}
