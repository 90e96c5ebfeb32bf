/// The stems the items held in the window use, each under a small id, with how many of those
/// items use it. An item held keeps its words as packed 32-bit words (`Packed`) instead of 64-bit
/// stems plus a separate array of counts and one of names: the index holds every item of the
/// window (hundreds of thousands at 100,000 matching items a day), and those arrays were most of
/// its ~1.6 KB per item.
struct StemTable {
    /// Ids fit in `Packed.idBits`; 0 is never an id (a lead of 0 is "none").
    static let capacity = 1 << Packed.idBits

    private var ids = KeyMap<UInt32>()
    /// The stem of each id (0 for a free id).
    private var stems: [UInt64] = [0]
    /// Entries held that use each id.
    private var uses: [Int32] = [0]
    /// Each id's postings: the slots of the entries that use it, with their counts. Kept by id
    /// here rather than in a map of their own by stem — a stem has postings exactly while it has
    /// an id — which was a 16-byte bucket more per word of the window's vocabulary (~40 bytes per
    /// item held on a first day of 100,000 items, whose vocabulary is as large as its item count).
    private var lists: [PostingList] = [PostingList()]
    private var free: [UInt32] = []

    /// Distinct stems held.
    var count: Int { ids.count }

    /// The id of `stem`, one more entry using it; `nil` if the table is full (32 M stems held:
    /// the entry then goes without that word rather than the daemon without memory).
    mutating func retain(_ stem: UInt64) -> UInt32? {
        if let id = ids[stem] {
            uses[Int(id)] += 1
            return id
        }
        let id: UInt32
        if let reused = free.popLast() {
            id = reused
            stems[Int(id)] = stem
            uses[Int(id)] = 1
        } else {
            guard stems.count < Self.capacity else { return nil }
            id = UInt32(stems.count)
            stems.append(stem)
            uses.append(1)
            lists.append(PostingList())
        }
        ids[stem] = id
        return id
    }

    /// One entry fewer uses `id`; the id is freed with its last user, and its postings with it.
    mutating func release(_ id: UInt32) {
        let i = Int(id)
        uses[i] -= 1
        guard uses[i] == 0 else { return }
        ids[stems[i]] = nil
        stems[i] = 0
        lists[i] = PostingList()
        free.append(id)
    }

    /// Files a posting under `id`: the entry in `slot` uses it `count` times.
    mutating func post(_ id: UInt32, slot: Int32, count: UInt8) { lists[Int(id)].append(slot: slot, count: count) }

    /// The postings of `stem` (`nil`: no entry held uses it).
    func postings(_ stem: UInt64) -> PostingList? { ids[stem].map { lists[Int($0)] } }

    /// Drops the postings of `dead` slots from `id`'s list once a third of it is dead (evicted
    /// entries' postings stay until then: the lists of common words are long, and an hour's
    /// eviction touches most of them).
    mutating func compact(_ id: UInt32, dead: (Int32) -> Bool) {
        let i = Int(id)
        if lists[i].count > 3 * Int(uses[i]) / 2 + 8 { lists[i].removeAll(where: dead) }
    }

    @inline(__always) func stem(_ id: UInt32) -> UInt64 { stems[Int(id)] }
    func id(of stem: UInt64) -> UInt32? { ids[stem] }

    /// How many entries held use `stem` (`nil`: none).
    func held(_ stem: UInt64) -> Int32? { ids[stem].map { uses[Int($0)] } }
}

/// A held item's word: its stem's id, whether the item writes it as a name, and how often it
/// counts (title words twice; at most 63, where `1 + log(count)` hardly moves any more).
enum Packed {
    static let idBits = 25

    @inline(__always) static func make(id: UInt32, count: Float, name: Bool) -> UInt32 {
        id << 7 | (name ? 64 : 0) | UInt32(min(63, max(1, count.rounded())))
    }

    @inline(__always) static func id(_ p: UInt32) -> UInt32 { p >> 7 }
    @inline(__always) static func isName(_ p: UInt32) -> Bool { p & 64 != 0 }
    @inline(__always) static func count(_ p: UInt32) -> Float { Float(p & 63) }
}
