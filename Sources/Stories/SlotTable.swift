/// Values by `Int32` keys (story numbers and entry slots, handed out in increasing order and never
/// reused), held densely: a `KeyMap` from key to position, the values in one array whose freed positions are
/// taken again. A `Dictionary<Int32, Story>` kept each story in a bucket of a table at most three
/// quarters full — ~330 bytes a story for a ~190-byte record — and most stories are one item, so
/// that was the largest part of the index per item held (BENCHMARKS.md, "Cost: Benchmarks/StoryGroup").
/// Here a story costs its record and a 16-byte bucket of the position map. Keys keep their order
/// (the index breaks ties to the older story by comparing them); positions are never seen outside.
struct SlotTable<Value> {
    private var position = KeyMap<Int32>()
    private var values: [Value?] = []
    private var free: [Int32] = []

    var count: Int { position.count }
    var isEmpty: Bool { position.isEmpty }

    subscript(key: Int32) -> Value? {
        get {
            guard let i = position[UInt64(UInt32(bitPattern: key))] else { return nil }
            return values[Int(i)]
        }
        set {
            let k = UInt64(UInt32(bitPattern: key))
            if let i = position[k] {
                values[Int(i)] = newValue
                if newValue == nil { release(k, i) }
            } else if let newValue {
                values[Int(take(k))] = newValue
            }
        }
        // In place: `table[s]!.size += 1` must not copy the record (and its maps) to change it.
        _modify {
            let k = UInt64(UInt32(bitPattern: key))
            if let i = position[k] {
                yield &values[Int(i)]
                if values[Int(i)] == nil { release(k, i) }
            } else {
                var added: Value?
                yield &added
                if let added { values[Int(take(k))] = added }
            }
        }
    }

    mutating func removeValue(forKey key: Int32) -> Value? {
        let k = UInt64(UInt32(bitPattern: key))
        guard let i = position[k] else { return nil }
        let v = values[Int(i)]
        values[Int(i)] = nil
        release(k, i)
        return v
    }

    /// A position for a new key: a freed one, or one more.
    private mutating func take(_ k: UInt64) -> Int32 {
        let i: Int32
        if let reused = free.popLast() {
            i = reused
        } else {
            i = Int32(values.count)
            values.append(nil)
        }
        position[k] = i
        return i
    }

    private mutating func release(_ k: UInt64, _ i: Int32) {
        position[k] = nil
        free.append(i)
    }
}

extension SlotTable: ExpressibleByDictionaryLiteral {
    init(dictionaryLiteral elements: (Int32, Value)...) {
        self.init()
        for (k, v) in elements { self[k] = v }
    }
}
