/// Durations as the config writes them: `90s`, `15m`, `1h`, `7d`, or combined (`1h30m`).
public enum DurationValue {
    /// Seconds, or `nil` when `text` is not a duration or is zero.
    public static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        var total = 0, number: Int?
        for ch in text.lowercased() where ch != " " {
            if let digit = ch.wholeNumberValue, ch.isASCII {
                let (n, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                guard !o1 else { return nil }
                number = n + digit
            } else if let factor = units[ch], let n = number {
                let (part, o1) = n.multipliedReportingOverflow(by: factor)
                let (sum, o2) = total.addingReportingOverflow(part)
                guard !o1, !o2 else { return nil }
                total = sum
                number = nil
            } else {
                return nil
            }
        }
        guard number == nil, total > 0 else { return nil }  // a bare number has no unit: refuse it
        return total
    }
}

/// Byte sizes as the config and `--max-size` write them: `10MB`, `512KB`, `65536` (binary units:
/// a megabyte is 1,048,576 bytes, as nginx and curl count).
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        let t = text.uppercased().filter { $0 != " " }
        let units: [(String, Int)] = [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("K", 1 << 10), ("M", 1 << 20), ("B", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let n = Int(t.dropLast(suffix.count)), n > 0 else { return nil }
            return n.multipliedReportingOverflow(by: factor).overflow ? nil : n * factor
        }
        return Int(t).flatMap { $0 > 0 ? $0 : nil }
    }
}
