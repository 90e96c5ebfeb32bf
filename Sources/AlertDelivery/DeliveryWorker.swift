internal import Glibc
public import FeedwatchCore
public import Store

/// A flag one thread raises and others read: the daemon's stop, seen by the delivery thread and
/// by the sinks it drives (through a `StopGrace`).
public final class StopSignal: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var raised = false  // guarded by `mutex`

    public init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func raise() {
        pthread_mutex_lock(mutex)
        raised = true
        pthread_mutex_unlock(mutex)
    }

    public var isRaised: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return raised
    }
}

/// Delivery on its own thread, so that a slow sink — a webhook's 10-second timeout, an exec
/// command's 30 — never delays a poll, and a poll over thousands of feeds never delays an alert
/// that is ready. It delivers what is pending, then sleeps until a sink's retry or a digest's
/// summary is due, or until the poller says it stored alerts (`wake`).
///
/// It has its own share of the service watchdog: `isHealthy` is false while a round has made no
/// progress (no sink call finished) for longer than the budget, so a delivery thread stuck on the
/// store stops the keep-alives and the service manager restarts the daemon, while one waiting on
/// a slow receiver, call after call, does not.
///
/// The store connection and the sinks it is given belong to this thread from then on: the caller
/// hands them over (at start and on reload, `replace`) and never uses them again.
public final class DeliveryWorker: @unchecked Sendable {
    private struct Work {
        var store: DeliveryStore
        var sinks: [AlertSink]
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var work: Work
    private var woken = false
    private var lastProgress: Double?  // set while a round runs

    private let stopSignal: StopSignal
    private let grace: StopGrace
    private let lease: Lease
    /// Seconds between rounds at most, when other processes store alerts too (a fleet): nobody
    /// wakes this thread for theirs, and its sink leases are renewed by its rounds.
    private let idleRound: Int?
    private let warning: @Sendable (String) -> Void
    private let error: @Sendable (String) -> Void
    private let afterRound: @Sendable () -> Void
    private var thread: WorkerThread?

    /// `grace`: the stop as the sinks see it (the same object the sinks were made with), raised
    /// by `stopSignal`. Starts the thread at once.
    /// `afterRound`: called on the delivery thread after each round (the daemon publishes its
    /// counters then).
    public init(store: DeliveryStore, sinks: [AlertSink], stopSignal: StopSignal, grace: StopGrace, lease: Lease, idleRound: Int? = nil,
                warning: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void,
                afterRound: @escaping @Sendable () -> Void = {}) throws(WorkerThreadError) {
        work = Work(store: store, sinks: sinks)
        self.stopSignal = stopSignal
        self.grace = grace
        self.lease = lease
        self.idleRound = idleRound
        self.warning = warning
        self.error = error
        self.afterRound = afterRound
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
        thread = try WorkerThread { [self] in loop() }
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        changed.deallocate()
    }

    /// Something may be ready (the poller stored alerts, a command requeued dead letters).
    public func wake() {
        pthread_mutex_lock(mutex)
        woken = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    /// A reloaded config's sinks (and store, if it moved): used from the next round on.
    public func replace(store: DeliveryStore, sinks: [AlertSink]) {
        pthread_mutex_lock(mutex)
        work = Work(store: store, sinks: sinks)
        woken = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    /// Stops after the sink call in flight (cut once the stop's grace period ends) and waits for
    /// the thread: what was not delivered stays pending in the store.
    public func stop() {
        stopSignal.raise()
        wake()
        thread?.wait()
    }

    /// False while a round has gone `budget` seconds without finishing a sink call.
    public func isHealthy(budget: Double) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard let last = lastProgress else { return true }
        return Monotonic.seconds() - last < budget
    }

    private func progress() {
        pthread_mutex_lock(mutex)
        lastProgress = Monotonic.seconds()
        pthread_mutex_unlock(mutex)
    }

    private func loop() {
        while !stopSignal.isRaised {
            pthread_mutex_lock(mutex)
            let current = work
            woken = false
            lastProgress = Monotonic.seconds()
            pthread_mutex_unlock(mutex)

            do {
                try Delivery.deliverPending(current.store, to: current.sinks, lease: lease, stop: grace, log: warning, progress: progress)
            } catch {
                self.error("delivery: \(error)")
            }
            afterRound()
            // When a retry or a digest's summary is due; without an answer from the store, soon.
            var next = Timestamp.now().secondsSince1970 + Int64(idleRound ?? 3_600)
            do {
                if let due = try Delivery.nextAttempt(current.store, sinks: current.sinks) { next = min(next, due.secondsSince1970) }
            } catch {
                self.error("delivery: cannot read when sinks are due: \(error)")
                next = Timestamp.now().secondsSince1970 + 5
            }

            pthread_mutex_lock(mutex)
            lastProgress = nil
            var deadline = timespec(tv_sec: Int(max(next, Timestamp.now().secondsSince1970 + 1)), tv_nsec: 0)
            while !woken && !stopSignal.isRaised {
                if pthread_cond_timedwait(changed, mutex, &deadline) == ETIMEDOUT { break }
            }
            pthread_mutex_unlock(mutex)
        }
    }
}
