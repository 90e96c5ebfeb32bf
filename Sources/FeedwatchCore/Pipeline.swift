internal import Glibc

/// A bounded first-in-first-out hand-over between one producing and one consuming thread.
/// The poll cycle runs its two halves on the machine's two cores with it: fetching and parsing
/// on one thread, classifying and storing on the other. Bounded, so a store that falls behind
/// slows the fetching down instead of piling parsed documents up in memory.
public final class Handoff<Element: Sendable>: @unchecked Sendable {
    // Guarded by `mutex`.
    private var buffer: [Element] = []
    private var head = 0
    private var closed = false
    private let capacity: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        changed.deallocate()
    }

    /// Waits while the hand-over is full. Elements sent after `close()` are dropped.
    public func send(_ element: Element) {
        pthread_mutex_lock(mutex)
        while buffer.count - head >= capacity && !closed { pthread_cond_wait(changed, mutex) }
        if !closed {
            buffer.append(element)
            pthread_cond_broadcast(changed)
        }
        pthread_mutex_unlock(mutex)
    }

    /// No more elements will come; a consumer gets what is buffered, then `nil`.
    public func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    public var isClosed: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return closed
    }

    /// Like `receive`, but waits at most `seconds`: `[]` when nothing came in time, `nil` once
    /// the hand-over is closed and drained.
    public func take(upTo limit: Int, waiting seconds: Double) -> [Element]? {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let total = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + max(0, seconds)
        var deadline = timespec(tv_sec: Int(total), tv_nsec: Int((total - total.rounded(.down)) * 1e9))
        pthread_mutex_lock(mutex)
        while buffer.count == head && !closed {
            if pthread_cond_timedwait(changed, mutex, &deadline) == ETIMEDOUT { break }
        }
        let empty = buffer.count == head
        let finished = empty && closed
        pthread_mutex_unlock(mutex)
        if finished { return nil }
        return empty ? [] : receive(upTo: limit)
    }

    /// Waits for at least one element and takes every element buffered, up to `limit`; an empty
    /// array once the hand-over is closed and drained. Taking many at once keeps the consumer's
    /// batches (one store transaction each) large when it is the slower side.
    public func receive(upTo limit: Int) -> [Element] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while buffer.count == head && !closed { pthread_cond_wait(changed, mutex) }
        let end = min(buffer.count, head + max(1, limit))
        let taken = Array(buffer[head..<end])
        head = end
        if head == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            head = 0
        }
        pthread_cond_broadcast(changed)
        return taken
    }
}

/// A thread running one closure, joined by `wait()`. Threads are made by hand (no Foundation,
/// no Dispatch): the daemon has exactly two, and it keeps signals blocked in both (a new thread
/// inherits the mask) so that only the main loop's `sigtimedwait` takes them.
public final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private var joined = false

    /// Starts `body` at once.
    public init(_ body: @escaping @Sendable () -> Void) throws(WorkerThreadError) {
        let box = Unmanaged.passRetained(Job(body: body)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
            job.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Job>.fromOpaque(box).release()
            joined = true
            throw WorkerThreadError(code: rc)
        }
    }

    /// Returns once the closure has returned.
    public func wait() {
        guard !joined else { return }
        pthread_join(thread, nil)
        joined = true
    }

    deinit { wait() }

    private final class Job {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) {
            self.body = body
        }
    }
}

public struct WorkerThreadError: Error, CustomStringConvertible {
    public var code: Int32
    public var description: String { "cannot start a thread: \(String(cString: strerror(code)))" }
}
