internal import CXML2

/// HTML 4's named entities, as libxml2 knows them, looked up through a cache: libxml2's
/// `htmlEntityLookup` scans its 253 names one by one, and a feed uses the same few (`nbsp`,
/// `mdash`, `rsquo`) thousands of times. One cache per parse; not thread-safe.
public final class HTMLEntities {
    /// Names of up to 8 bytes, packed into an integer: an exact key, no string built per lookup.
    private var cache: [UInt64: UInt32] = [:]
    private static let unknown = UInt32.max

    public init() {}

    /// The code point `&name;` stands for, or `nil` when HTML 4 does not define `name`.
    public func value(_ name: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard name.count <= 8 else { return Self.lookup(name) }
        var key: UInt64 = 0
        for b in name { key = key << 8 | UInt64(b) }
        if let hit = cache[key] { return hit == Self.unknown ? nil : hit }
        let found = Self.lookup(name)
        if cache.count < 4096 { cache[key] = found ?? Self.unknown }
        return found
    }

    private static func lookup(_ name: UnsafeBufferPointer<UInt8>) -> UInt32? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: name.count + 1) { buf in
            _ = buf.initialize(from: name)
            buf[name.count] = 0
            return htmlEntityLookup(buf.baseAddress!).map { $0.pointee.value }
        }
    }
}
