internal import Glibc
internal import Store

/// Story placement, held by one writer of an SQLite store at a time: the daemon from its
/// catch-up read until its apply, and a correction by hand (`stories merge/split/mute/unmute`,
/// run in another process beside the daemon) while it writes. So a correction never lands
/// between a batch's decisions and their apply — which would place items in a story merged away,
/// or alert a story muted meanwhile — and the daemon's next batch reads it (the fleet's
/// placement lock, for one machine). An `flock` on `STORE.placement`, waited for: a batch decides
/// in about 2 s at most.
final class PlacementLock {
    private let path: String
    private var fd: Int32 = -1

    init(storePath: String) { path = storePath + ".placement" }

    var isHeld: Bool { fd >= 0 }

    func hold() throws(StoreError) {
        guard fd < 0 else { return }
        let f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard f >= 0 else { throw StoreError(.unavailable, "cannot open \(path): \(String(cString: strerror(errno)))") }
        while flock(f, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(f)
                throw StoreError(.unavailable, "cannot lock \(path): \(reason)")
            }
        }
        fd = f
    }

    func release() {
        guard fd >= 0 else { return }
        close(fd)  // releases the lock
        fd = -1
    }

    deinit { release() }
}
