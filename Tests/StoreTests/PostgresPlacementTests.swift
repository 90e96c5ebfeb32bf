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
}
