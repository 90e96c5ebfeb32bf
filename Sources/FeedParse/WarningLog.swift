/// Collects warnings for the `warnings` array: each distinct message once, in order, capped so a
/// document with a broken entity on every line cannot flood the output.
struct WarningLog {
    private(set) var messages: [String] = []
    private var seen: Set<String> = []
    private var suppressed = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    mutating func add(_ message: String) {
        guard !seen.contains(message) else { return }
        guard messages.count < limit else { suppressed += 1; return }
        seen.insert(message)
        messages.append(message)
    }

    mutating func add(line: Int, _ message: String) {
        add(line > 0 ? "line \(line): \(message)" : message)
    }

    /// The final list, with a closing count of what the cap left out.
    var final: [String] {
        suppressed == 0 ? messages : messages + ["\(suppressed) more warnings not shown"]
    }
}
