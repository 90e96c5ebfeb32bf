import FeedwatchCore
import Synchronization
import Testing
import Glibc

@Suite struct PipelineTests {
    /// Many more elements than the hand-over holds: the producer waits, nothing is lost or
    /// reordered, and the consumer's batches respect its limit.
    @Test func everyElementArrivesInOrderThroughASmallHandoff() throws {
        let handoff = Handoff<Int>(capacity: 3)
        let worker = try WorkerThread {
            for i in 0..<10_000 { handoff.send(i) }
            handoff.close()
        }
        var received: [Int] = []
        var largest = 0
        while true {
            let batch = handoff.receive(upTo: 5)
            if batch.isEmpty { break }
            largest = max(largest, batch.count)
            received += batch
        }
        worker.wait()
        #expect(received == Array(0..<10_000))
        #expect(largest <= 3)  // never more than the capacity is buffered
    }

    /// A consumer that gives up closes the hand-over: a producer blocked on a full buffer is
    /// released, and what it sends afterwards is dropped.
    @Test func closingReleasesABlockedProducer() throws {
        let handoff = Handoff<Int>(capacity: 1)
        let sent = Atomic<Int>(0)
        let worker = try WorkerThread {
            for i in 0..<100 {
                handoff.send(i)
                sent.add(1, ordering: .relaxed)
            }
        }
        #expect(handoff.receive(upTo: 10) == [0])
        handoff.close()
        worker.wait()  // returns: the producer was not left waiting
        #expect(sent.load(ordering: .relaxed) == 100)
        #expect(handoff.isClosed)
        #expect(handoff.receive(upTo: 10).count <= 1)  // at most what was buffered before the close
        #expect(handoff.receive(upTo: 10).isEmpty)
    }

    /// The poller's store thread waits for more only until its commit is due.
    @Test func takeWaitsNoLongerThanAsked() throws {
        let handoff = Handoff<Int>(capacity: 4)
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        #expect(handoff.take(upTo: 4, waiting: 0.2) == [])
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        let waited = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        #expect(waited >= 0.15 && waited < 2)
        handoff.send(1)
        handoff.send(2)
        #expect(handoff.take(upTo: 4, waiting: 5) == [1, 2])
        handoff.close()
        #expect(handoff.take(upTo: 4, waiting: 5) == nil)
    }
}
