/// A field that several elements can fill, the best-ranked source winning (lower rank is better;
/// among equals the first seen wins). This is how `feedburner:origLink` beats `link`, which beats
/// an `atom:link`, which beats a permalink `guid`, whatever order they appear in.
struct Ranked<Value> {
    private(set) var value: Value?
    private(set) var rank = Int.max

    mutating func offer(_ candidate: Value?, rank: Int) {
        guard let candidate, rank < self.rank else { return }
        value = candidate
        self.rank = rank
    }
}
