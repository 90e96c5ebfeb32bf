import Foundation
import Store
import StorePostgres
import TestSupport
import Testing

/// `placementWanted`: what lets a node that keeps placement across batches (the poller's
/// pipeline) give it up as soon as another node queues for it. Two real connections to a
/// throwaway cluster, one of them blocked on the lock in a thread of its own.
@Suite struct PostgresPlacementTests {
    /// One store used by the waiting thread alone until it is joined.
    private final class Waiter: @unchecked Sendable {
        let store: PostgresStore
        var held = false
        init(_ store: PostgresStore) { self.store = store }
    }

    @Test(.enabled(if: PostgresCluster.skipReason == nil || PostgresCluster.required, Comment(rawValue: PostgresCluster.skipReason ?? "")))
    func aHolderSeesAnotherNodeQueuedForPlacement() throws {
        let uri = try PostgresCluster.shared.get().createDatabase("placement")
        let a = try PostgresStore(uri: uri, node: "a")
        let waiter = Waiter(try PostgresStore(uri: uri, node: "b"))
        #expect(try !a.placementWanted())
        try a.holdPlacement()
        #expect(try !a.placementWanted())  // held, and nobody waiting

        let done = DispatchSemaphore(value: 0)
        Thread {
            waiter.held = (try? waiter.store.holdPlacement()) != nil
            waiter.store.releasePlacement()
            done.signal()
        }.start()
        let deadline = Date().addingTimeInterval(10)
        var wanted = false
        while !wanted && Date() < deadline {
            wanted = try a.placementWanted()
            if !wanted { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(wanted)
        #expect(done.wait(timeout: .now() + 0.2) == .timedOut)  // still waiting behind a
        a.releasePlacement()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(waiter.held)
        #expect(try !a.placementWanted())
    }

    /// A session the server drops (a restart, a PANIC on a full disk) is opened again by the
    /// next call; the placement lock went with the old session, so holding it again takes it
    /// again, in the new one — never "already held" on a lock the server let go.
    @Test(.enabled(if: PostgresCluster.skipReason == nil || PostgresCluster.required, Comment(rawValue: PostgresCluster.skipReason ?? "")))
    func aDroppedSessionIsOpenedAgainAndItsPlacementLockTakenAgain() throws {
        let cluster = try PostgresCluster.shared.get()
        let uri = try cluster.createDatabase("reconnect")
        let store = try PostgresStore(uri: uri, node: "a")
        try store.holdPlacement()
        let held = """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        #expect(try cluster.psql(uri, held) == "1\n")
        _ = try cluster.psql(uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        #expect(try cluster.psql(uri, held) == "0\n")

        // The call that meets the break fails as unavailable; the next one works.
        #expect(throws: StoreError.self) { try store.nextDue() }
        #expect(try store.nextDue() == nil)
        try store.holdPlacement()
        #expect(try cluster.psql(uri, held) == "1\n", "the placement lock is held again, in the new session")
        store.releasePlacement()
        #expect(try cluster.psql(uri, held) == "0\n")
    }
}
