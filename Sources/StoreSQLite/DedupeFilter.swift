/// A Bloom filter over the dedupe keys (`ArticleKey`) of every stored item, kept in memory by the
/// store: nearly every new item is not a copy of anything, and the filter says so without the two
/// index searches that would prove it (a cold cycle stores 200,000 items). A "maybe" is checked
/// in the database, so a false positive costs a lookup, never a missed alert or a lost one.
final class DedupeFilter {
    private var bits: [UInt64]
    private let mask: UInt64
    /// Keys it was sized for; past that the store builds a bigger one.
    let capacity: Int
    private(set) var count = 0
    /// The newest item whose keys are in: rows after it (another process's) are read in first.
    var newestItem: Int64 = 0

    /// ~1 % false positives at `capacity` keys (10 bits a key, 4 probes).
    init(capacity: Int) {
        self.capacity = max(1 << 16, capacity)
        var size = 64
        while size < self.capacity * 10 { size <<= 1 }
        bits = [UInt64](repeating: 0, count: size / 64)
        mask = UInt64(size - 1)
    }

    func add(_ key: Int64) {
        count += 1
        forEachProbe(key) { bits[$0 >> 6] |= 1 << ($0 & 63) }
    }

    func mayContain(_ key: Int64) -> Bool {
        var hit = true
        forEachProbe(key) { if bits[$0 >> 6] & (1 << ($0 & 63)) == 0 { hit = false } }
        return hit
    }

    /// Four positions from the key's two halves (double hashing); the keys are hashes already.
    @inline(__always) private func forEachProbe(_ key: Int64, _ body: (Int) -> Void) {
        let k = UInt64(bitPattern: key)
        let h1 = k, h2 = (k >> 32 | k << 32) | 1
        for i in 0..<4 { body(Int((h1 &+ UInt64(i) &* h2) & mask)) }
    }
}
