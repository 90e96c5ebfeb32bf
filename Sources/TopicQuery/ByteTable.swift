/// A hash table from byte strings (folded words and word prefixes) to small integers, probed with
/// a hash the caller computes while it reads the bytes, so that looking a token up costs no
/// String and no allocation. Open addressing, at most half full.
struct ByteTable {
    private struct Slot {
        var hash: UInt64 = 0
        var offset: Int32 = 0
        var length: Int32 = -1    // -1: empty
        var value: Int32 = 0
    }

    private var slots = [Slot](repeating: Slot(), count: 16)
    private var arena: [UInt8] = []
    private(set) var count = 0

    /// FNV-1a, one byte at a time: words are short, and the hash of every prefix comes for free.
    static let seed: UInt64 = 0xCBF2_9CE4_8422_2325
    @inline(__always) static func step(_ h: UInt64, _ b: UInt8) -> UInt64 { (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 { bytes.reduce(seed, step) }

    /// The value stored for `bytes`, or `nil`.
    @inline(__always)
    func find(_ bytes: UnsafePointer<UInt8>, _ length: Int, hash: UInt64) -> Int32? {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & UInt64(mask))
        return slots.withUnsafeBufferPointer { s in
            while true {
                let slot = s[i]
                if slot.length < 0 { return nil }
                if slot.hash == hash && Int(slot.length) == length
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
        if (count + 1) * 2 > slots.count { rehash(slots.count * 2) }
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & UInt64(mask))
        while slots[i].length >= 0 { i = (i + 1) & mask }
        slots[i] = Slot(hash: hash, offset: Int32(arena.count), length: Int32(bytes.count), value: value)
        arena += bytes
        count += 1
        return value
    }

    private mutating func rehash(_ size: Int) {
        let old = slots
        slots = [Slot](repeating: Slot(), count: size)
        let mask = size - 1
        for slot in old where slot.length >= 0 {
            var i = Int(truncatingIfNeeded: (slot.hash ^ (slot.hash >> 29)) & UInt64(mask))
            while slots[i].length >= 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}

private func memcmp(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
    for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
    return 0
}
