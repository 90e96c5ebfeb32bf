/// A hash table from byte strings (folded words and word prefixes) to small integers, probed with
/// a hash the caller computes while it reads the bytes, so that looking a token up costs no
/// String and no allocation. Open addressing, at most three quarters full: the Bloom filter in
/// front turns most misses away, so probe chains matter less than the table's size in cache.
struct ByteTable {
    /// 16 bytes, four to a cache line: the table is probed once per word of every item, and at
    /// ten thousand topics it no longer fits in the faster caches.
    private struct Slot {
        var tag: UInt32 = 0       // high half of the hash; the low half chose the slot
        var offset: UInt32 = 0
        var length: Int32 = -1    // -1: empty
        var value: Int32 = 0
    }

    private var slots = [Slot](repeating: Slot(), count: 16)
    private var arena: [UInt8] = []
    private(set) var count = 0
    /// A Bloom filter in front of the slots: most words of an item are in no term, and with
    /// thousands of topics the slots outgrow the CPU's caches while the filter stays in them.
    /// Built by `seal()`.
    private var bloom: BloomFilter?

    /// FNV-1a, one byte at a time: words are short, and the hash of every prefix comes for free.
    static let seed: UInt64 = 0xCBF2_9CE4_8422_2325
    @inline(__always) static func step(_ h: UInt64, _ b: UInt8) -> UInt64 { (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 { bytes.reduce(seed, step) }

    /// The value stored for `bytes`, or `nil`.
    @inline(__always)
    func find(_ bytes: UnsafePointer<UInt8>, _ length: Int, hash: UInt64) -> Int32? {
        if let bloom, !bloom.mayContain(hash) { return nil }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & UInt64(mask))
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        return slots.withUnsafeBufferPointer { s in
            while true {
                let slot = s[i]
                if slot.length < 0 { return nil }
                if slot.tag == tag && Int(slot.length) == length
                    && arena.withUnsafeBufferPointer({ memcmp($0.baseAddress! + Int(slot.offset), bytes, length) == 0 }) {
                    return slot.value
                }
                i = (i + 1) & mask
            }
        }
    }

    func find(_ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBufferPointer { find($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count, hash: Self.hash($0)) }
    }

    /// Stores `value` for `bytes` unless some value is already there; returns the stored value.
    @discardableResult
    mutating func insert(_ bytes: [UInt8], value: Int32) -> Int32 {
        if let existing = find(bytes) { return existing }
        bloom = nil
        if (count + 1) * 4 > slots.count * 3 { rehash(slots.count * 2) }
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & UInt64(mask))
        while slots[i].length >= 0 { i = (i + 1) & mask }
        slots[i] = Slot(tag: UInt32(truncatingIfNeeded: hash >> 32), offset: UInt32(arena.count), length: Int32(bytes.count), value: value)
        arena += bytes
        count += 1
        return value
    }

    /// Builds the Bloom filter; call once all entries are in (an insert after it clears it).
    mutating func seal() {
        var filter = BloomFilter(capacity: count)
        for slot in slots where slot.length >= 0 {
            filter.insert(arena.withUnsafeBufferPointer { Self.hash($0[Int(slot.offset)..<Int(slot.offset) + Int(slot.length)]) })
        }
        bloom = filter
    }

    private mutating func rehash(_ size: Int) {
        let old = slots
        slots = [Slot](repeating: Slot(), count: size)
        let mask = size - 1
        for slot in old where slot.length >= 0 {
            let hash = arena.withUnsafeBufferPointer { Self.hash($0[Int(slot.offset)..<Int(slot.offset) + Int(slot.length)]) }
            var i = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & UInt64(mask))
            while slots[i].length >= 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}

/// A blocked Bloom filter over 64-bit hashes: two bits in one 64-bit word per entry (one memory
/// access per look-up), ~8 bits of filter per entry, ~6% false positives.
struct BloomFilter {
    private var words: [UInt64]
    private let mask: UInt64

    init(capacity: Int) {
        var n = 8
        while n * 64 < capacity * 8 { n *= 2 }
        words = [UInt64](repeating: 0, count: n)
        mask = UInt64(n - 1)
    }

    mutating func insert(_ hash: UInt64) {
        let (word, bits) = Self.bits(hash, mask)
        words[word] |= bits
    }

    @inline(__always)
    func mayContain(_ hash: UInt64) -> Bool {
        let (word, bits) = Self.bits(hash, mask)
        return words.withUnsafeBufferPointer { $0[word] & bits == bits }
    }

    /// A word and two bits in it, from parts of the hash that slot indexes and tags use least.
    @inline(__always)
    private static func bits(_ hash: UInt64, _ mask: UInt64) -> (Int, UInt64) {
        let mixed = hash &* 0x9E37_79B9_7F4A_7C15
        return (Int(truncatingIfNeeded: (mixed >> 40) & mask), 1 << ((mixed >> 20) & 63) | 1 << ((mixed >> 26) & 63))
    }
}

private func memcmp(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
    for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
    return 0
}
