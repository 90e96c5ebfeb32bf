/// A point in time with one-second resolution, always UTC. Feeds give us dates in a dozen
/// formats; everything downstream (JSON, the store, the scheduler) sees only this.
public struct Timestamp: Hashable, Comparable, Sendable {
    public var secondsSince1970: Int64

    public init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }

    /// Builds a timestamp from civil UTC fields; `nil` when a field is out of range
    /// (month 13, February 30, hour 25, year 10000), so impossible dates never reach output.
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                 offsetSeconds: Int = 0) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Timestamp.daysIn(month: month, year: year),
              (0...24).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              hour < 24 || (minute == 0 && second == 0)
        else { return nil }
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        // A leap second (":60") is folded into the next second's predecessor: we keep 1 s resolution.
        let s = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59))
        self.secondsSince1970 = s - Int64(offsetSeconds)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.secondsSince1970 < b.secondsSince1970 }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil UTC fields of this instant.
    public var civil: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let s = secondsSince1970
        var days = s / 86_400
        var rem = s % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let r = Int(rem)
        return (y, m, d, r / 3600, r / 60 % 60, r % 60)
    }

    /// RFC 3339 in UTC with a `Z` suffix, as the contract prints every date.
    public var rfc3339: String {
        let c = civil
        var out = [UInt8]()
        out.reserveCapacity(20)
        func put(_ v: Int, _ width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var n = v
            for i in stride(from: width - 1, through: 0, by: -1) { digits[i] = UInt8(0x30 + n % 10); n /= 10 }
            out.append(contentsOf: digits)
        }
        put(c.year, 4); out.append(0x2D); put(c.month, 2); out.append(0x2D); put(c.day, 2)
        out.append(0x54); put(c.hour, 2); out.append(0x3A); put(c.minute, 2); out.append(0x3A); put(c.second, 2)
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }
}
