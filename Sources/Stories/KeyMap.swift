/// A value for the buckets of a `KeyMap` that hold none. A bucket keeps a plain value, not an
/// optional: the key says whether it is in use, and an optional's tag byte rounded a 4-byte value
/// up to 8 bytes and a 16-byte one up to 24 — in the tables by stem (ids, word frequencies, name
/// evidence), which hold a bucket per word of the recent vocabulary, that was ~40 bytes per item
/// held on a first day of 100,000 items (BENCHMARKS.md, "Cost: Benchmarks/StoryGroup").
protocol Vacant {
    static var vacant: Self { get }
}

/// A hash map from 64-bit keys that are hashes already (word stems) or small counters (slots):
/// open addressing with linear probing and Fibonacci hashing of the key, no per-lookup hasher.
/// Swift's `Dictionary` SipHashes every key; placing one item does thousands of lookups, and the
/// hashing was a quarter of the time (callgrind, Benchmarks/StoryGroup).
struct KeyMap<Value: Vacant> {
    private var keys: [UInt64]
    /// `values[i]` is meaningful where `keys[i]` is not 0, and `Value.vacant` elsewhere.
    private var values: [Value]
    /// 8 bytes for the shift and the count, not 16: a story record holds two maps (names and
    /// leads), and most stories are one item (BENCHMARKS.md, "Cost: Benchmarks/StoryGroup").
    private var shift: UInt8
    private var population: Int32 = 0

    var count: Int { Int(population) }

    /// 0 marks an empty bucket; a real key 0 is stored as this instead.
    private static var zero: UInt64 { 0x8000_0000_0000_0000 }

    /// `capacity` 0 allocates nothing until the first insert: most stories never need a centroid.
    init(capacity: Int = 0) {
        guard capacity > 0 else {
            keys = []
            values = []
            shift = 64
            return
        }
        var size = 8
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [Value](repeating: .vacant, count: size)
        shift = UInt8(64 - size.trailingZeroBitCount)
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always) private static func stored(_ key: UInt64) -> UInt64 { key == 0 ? zero : key }

    @inline(__always) private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift)) }

    /// The bucket holding `key`, or the empty one where it would go.
    @inline(__always) private func bucket(_ key: UInt64) -> (Int, Bool) {
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

    subscript(key: UInt64) -> Value? {
        get {
            guard count > 0 else { return nil }
            let (i, found) = bucket(Self.stored(key))
            return found ? values[i] : nil
        }
        set {
            if keys.isEmpty {
                guard newValue != nil else { return }
                self = KeyMap(capacity: 4)
            }
            let k = Self.stored(key)
            let (i, found) = bucket(k)
            if let newValue {
                if found { values[i] = newValue; return }
                keys[i] = k
                values[i] = newValue
                population += 1
                if count * 4 > keys.count * 3 { grow() }
            } else if found {
                remove(at: i)
            }
        }
    }

    subscript(key: UInt64, default value: @autoclosure () -> Value) -> Value {
        get { self[key] ?? value() }
        set { self[key] = newValue }
    }

    /// Changes the value in place (no copy of an array value), inserting `value()` first if absent.
    mutating func modify<R>(_ key: UInt64, default value: @autoclosure () -> Value, _ body: (inout Value) -> R) -> R {
        if keys.isEmpty { self = KeyMap(capacity: 4) }
        let k = Self.stored(key)
        var (i, found) = bucket(k)
        if !found {
            keys[i] = k
            values[i] = value()
            population += 1
            if count * 4 > keys.count * 3 {
                grow()
                i = bucket(k).0
            }
        }
        return body(&values[i])
    }

    mutating func removeValue(forKey key: UInt64) -> Value? {
        guard count > 0 else { return nil }
        let (i, found) = bucket(Self.stored(key))
        guard found else { return nil }
        let v = values[i]
        remove(at: i)
        return v
    }

    /// Empties the map, keeping its buckets (a map reused per call).
    mutating func clear() {
        guard count > 0 else { return }
        for i in keys.indices where keys[i] != 0 {
            keys[i] = 0
            values[i] = .vacant
        }
        population = 0
    }

    /// Backward-shift deletion: the probe chains stay unbroken without tombstones.
    private mutating func remove(at index: Int) {
        let mask = keys.count - 1
        var hole = index
        var i = (index + 1) & mask
        while keys[i] != 0 {
            let h = home(keys[i])
            // Move keys[i] into the hole if its home does not lie in (hole, i].
            if (i > hole && (h <= hole || h > i)) || (i < hole && h <= hole && h > i) {
                keys[hole] = keys[i]
                values[hole] = values[i]
                hole = i
            }
            i = (i + 1) & mask
        }
        keys[hole] = 0
        values[hole] = .vacant
        population -= 1
    }

    private mutating func grow() {
        var bigger = KeyMap(capacity: max(4, keys.count))
        for (k, v) in zip(keys, values) where k != 0 {
            let (i, _) = bigger.bucket(k)
            bigger.keys[i] = k
            bigger.values[i] = v
            bigger.population += 1
        }
        self = bigger
    }

    /// The entries, in no particular order (keys as given, 0 included).
    func forEach(_ body: (UInt64, Value) -> Void) {
        for (k, v) in zip(keys, values) where k != 0 { body(k == Self.zero ? 0 : k, v) }
    }

    func filter(_ keep: (UInt64, Value) -> Bool) -> KeyMap {
        var out = KeyMap(capacity: count)
        forEach { k, v in if keep(k, v) { out[k] = v } }
        return out
    }
}
extension KeyMap: Sendable where Value: Sendable {}

extension Bool: Vacant { static var vacant: Bool { false } }
extension Float: Vacant { static var vacant: Float { 0 } }
extension Int: Vacant { static var vacant: Int { 0 } }
extension Int32: Vacant { static var vacant: Int32 { 0 } }
extension UInt32: Vacant { static var vacant: UInt32 { 0 } }
extension UInt64: Vacant { static var vacant: UInt64 { 0 } }
extension Array: Vacant { static var vacant: Array { [] } }
extension PostingList: Vacant { static var vacant: PostingList { PostingList() } }
