import Testing
@testable import Stories

/// KeyMap against Dictionary on random inserts, updates and removals: backward-shift deletion
/// must never break a probe chain, growth must keep every entry.
@Suite struct KeyMapTests {
    @Test func agreesWithDictionary() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<20 {
            var map = KeyMap<Int>()
            var reference: [UInt64: Int] = [:]
            // Few distinct keys (many collisions and removals), slot-like and hash-like, 0 included.
            let keys: [UInt64] = (0..<200).map { k in round % 2 == 0 ? UInt64(k) : UInt64.random(in: 0...UInt64.max, using: &rng) } + [0]
            for step in 0..<5_000 {
                let key = keys.randomElement(using: &rng)!
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: map[key] = step; reference[key] = step
                case 1: #expect(map.removeValue(forKey: key) == reference.removeValue(forKey: key))
                case 2: map.modify(key, default: 0) { $0 += 1 }; reference[key, default: 0] += 1
                default: map[key] = nil; reference[key] = nil
                }
                #expect(map[key] == reference[key])
            }
            #expect(map.count == reference.count)
            var seen: [UInt64: Int] = [:]
            map.forEach { seen[$0] = $1 }
            #expect(seen == reference)
            for k in keys { #expect(map[k] == reference[k]) }
            map.clear()
            #expect(map.isEmpty && map[keys[0]] == nil)
        }
    }
}
