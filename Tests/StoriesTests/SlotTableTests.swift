import Testing
@testable import Stories

/// SlotTable against Dictionary on random inserts, in-place changes and removals: a freed
/// position taken again must never show another key's value, and keys 0 and negative ones work.
@Suite struct SlotTableTests {
    struct Record: Equatable {
        var size: Int
        var words: [Int]
    }

    @Test func agreesWithDictionary() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var table: SlotTable<Record> = [:]
            var reference: [Int32: Record] = [:]
            var next: Int32 = -3
            for step in 0..<5_000 {
                let key = Bool.random(using: &rng) || reference.isEmpty ? Int32.random(in: -3...next, using: &rng) : reference.keys.randomElement(using: &rng)!
                switch Int.random(in: 0..<5, using: &rng) {
                case 0:
                    table[next] = Record(size: step, words: [step]); reference[next] = Record(size: step, words: [step])
                    next += 1
                case 1: #expect(table.removeValue(forKey: key) == reference.removeValue(forKey: key))
                case 2:
                    if table[key] != nil { table[key]!.size += 1; table[key]!.words.append(step) }
                    if reference[key] != nil { reference[key]!.size += 1; reference[key]!.words.append(step) }
                case 3: table[key] = nil; reference[key] = nil
                default: #expect(table[key] == reference[key])
                }
                #expect(table.count == reference.count)
            }
            for (k, v) in reference { #expect(table[k] == v) }
        }
    }

    /// A checkpoint is a copy: changing the table afterwards leaves the copy as it was.
    @Test func aCopyIsAValue() {
        var table: SlotTable<Record> = [0: Record(size: 1, words: [1])]
        let copy = table
        table[0]!.size += 1
        table[0]!.words.append(2)
        table[1] = Record(size: 5, words: [])
        _ = table.removeValue(forKey: 0)
        #expect(copy[0] == Record(size: 1, words: [1]) && copy[1] == nil && copy.count == 1)
        #expect(table[0] == nil && table[1]?.size == 5 && table.count == 1)
    }
}
