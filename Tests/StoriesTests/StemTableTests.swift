import Testing
@testable import Stories

/// A stem's postings live exactly as long as its id: filed by id, dropped with the id's last
/// user (a reused id starts with none), compacted once a third of the list is dead.
@Suite struct StemTableTests {
    private func slots(_ list: PostingList?) -> [Int32] {
        var out: [Int32] = []
        list?.forEach { slot, _ in out.append(slot) }
        return out
    }

    @Test func postingsGoWithTheirId() throws {
        var table = StemTable()
        let retained = table.retain(101)
        let a = try #require(retained)
        table.post(a, slot: 1, count: 2)
        _ = table.retain(101)
        table.post(a, slot: 2, count: 1)
        #expect(slots(table.postings(101)) == [1, 2])
        #expect(table.postings(202) == nil)
        table.release(a)
        #expect(slots(table.postings(101)) == [1, 2])  // one user left
        table.release(a)
        #expect(table.postings(101) == nil && table.held(101) == nil)
        // The freed id goes to the next new stem, with no postings of the old one.
        let reused = table.retain(202)
        let b = try #require(reused)
        #expect(b == a)
        #expect(slots(table.postings(202)) == [])
    }

    @Test func compactsOnlyOnceAThirdIsDead() throws {
        var table = StemTable()
        let first = table.retain(7)
        let id = try #require(first)
        for slot in Int32(0)..<40 {
            if slot > 0 { _ = table.retain(7) }
            table.post(id, slot: slot, count: 1)
        }
        // 40 postings, 30 users left: 40 > 3 * 30 / 2 + 8 = 53 is false, nothing is dropped.
        for _ in 0..<10 { table.release(id) }
        table.compact(id) { $0 < 10 }
        #expect(slots(table.postings(7)).count == 40)
        // 20 users left: 40 > 38, so the dead are dropped, the rest kept in order.
        for _ in 0..<10 { table.release(id) }
        table.compact(id) { $0 < 20 }
        #expect(slots(table.postings(7)) == Array(20..<40))
    }
}
