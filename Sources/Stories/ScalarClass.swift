/// The three Unicode properties `NameEvidence` reads of every letter of every matching item —
/// alphabetic, upper case, white space — with ASCII answered by arithmetic. The standard
/// library looks each one up in its property tables: on a cycle where every item matches, those
/// lookups were a sixth of the cycle's CPU (`perf record`, BENCHMARKS.md "Cost"). For ASCII the
/// answers are the same by definition (Alphabetic: A–Z, a–z; Uppercase: A–Z; White_Space: tab to
/// carriage return, and space); anything else still asks the tables.
enum ScalarClass {
    @inline(__always) static func isAlphabetic(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x80 ? (s.value | 0x20) &- 0x61 < 26 : s.properties.isAlphabetic
    }

    @inline(__always) static func isUppercase(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x80 ? s.value &- 0x41 < 26 : s.properties.isUppercase
    }

    @inline(__always) static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x80 ? s.value == 0x20 || s.value &- 0x09 < 5 : s.properties.isWhitespace
    }
}
