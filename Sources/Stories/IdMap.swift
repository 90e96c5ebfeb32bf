/// A story's centroid: summed word frequencies by `StemTable` id, in 8 bytes a bucket (a 32-bit
/// id and a `Float`) where `KeyMap<Float>` takes 16 (a 64-bit stem and an optional). Centroids
/// hold a word per distinct word of their items, so they were the largest part of the index's
/// memory on a burst of coverage. Id 0 is never a stem's, so it marks an empty bucket.
/// Open addressing with linear probing and backward-shift deletion, as `KeyMap`.
struct IdMap {
    private var keys: [UInt32] = []
    private var values: [Float] = []
    private var shift: UInt32 = 32
    /// 32 bits, with the shift in 8 bytes: a map is in every story record.
    private var population: Int32 = 0

    var count: Int { Int(population) }

    var isEmpty: Bool { count == 0 }

    @inline(__always) private func home(_ key: UInt32) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B1) >> shift) }

    @inline(__always) private func bucket(_ key: UInt32) -> (Int, Bool) {
        keys.withUnsafeBufferPointer { keys in
            let mask = keys.count - 1
            var i = home(key)
            while true {
                let k = keys[i]
                if k == key { return (i, true) }
                if k == 0 { return (i, false) }
                i = (i + 1) & mask
            }
        }
    }

    subscript(key: UInt32) -> Float? {
        guard count > 0 else { return nil }
        let (i, found) = bucket(key)
        return found ? values[i] : nil
    }

    /// Adds `amount` to the key's value; a value that falls below a half (an item's words count
    /// at least 1) is removed.
    mutating func add(_ key: UInt32, _ amount: Float) {
        precondition(key != 0)
        if keys.isEmpty { allocate(8) }
        let (i, found) = bucket(key)
        if found {
            values[i] += amount
            if values[i] < 0.5 { remove(at: i) }
            return
        }
        guard amount >= 0.5 else { return }
        keys[i] = key
        values[i] = amount
        population += 1
        if count * 4 > keys.count * 3 { grow() }
    }

    func forEach(_ body: (UInt32, Float) -> Void) {
        for (k, v) in zip(keys, values) where k != 0 { body(k, v) }
    }

    private mutating func allocate(_ size: Int) {
        keys = [UInt32](repeating: 0, count: size)
        values = [Float](repeating: 0, count: size)
        shift = UInt32(32 - size.trailingZeroBitCount)
        population = 0
    }

    private mutating func grow() {
        let (oldKeys, oldValues) = (keys, values)
        allocate(oldKeys.count * 2)
        for (k, v) in zip(oldKeys, oldValues) where k != 0 {
            let (i, _) = bucket(k)
            keys[i] = k
            values[i] = v
            population += 1
        }
    }

    private mutating func remove(at index: Int) {
        let mask = keys.count - 1
        var hole = index
        var i = (index + 1) & mask
        while keys[i] != 0 {
            let h = home(keys[i])
            if (i > hole && (h <= hole || h > i)) || (i < hole && h <= hole && h > i) {
                keys[hole] = keys[i]
                values[hole] = values[i]
                hole = i
            }
            i = (i + 1) & mask
        }
        keys[hole] = 0
        values[hole] = 0
        population -= 1
    }
}
extension IdMap: Sendable {}
