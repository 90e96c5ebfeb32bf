extension URLText {
    /// Query parameters that only track the reader (`utm_*` too): a link shown to a person leaves
    /// without them, while the stored link stays as published.
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi",
        "mkt_tok", "oly_enc_id", "oly_anon_id", "ncid", "cmpid", "__twitter_impression", "ref_src",
    ]

    /// `url` with its tracking parameters taken off (order of the others and the fragment kept):
    /// `https://a.example/x?utm_source=rss&id=3#top` → `https://a.example/x?id=3#top`.
    public static func withoutTracking(_ url: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return url }
        let hash = url[q...].firstIndex(of: "#") ?? url.endIndex
        let kept = url[url.index(after: q)..<hash].split(separator: "&").filter { pair in
            let name = pair.prefix { $0 != "=" }.lowercased()
            return !trackingParameters.contains(name) && !name.hasPrefix("utm_")
        }
        return String(url[..<q]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&")) + url[hash...]
    }
}
