/// The page's one stylesheet, served at `/style.css` so the Content-Security-Policy can forbid
/// every inline style and script (`style-src 'self'`). Small screens first; a dark scheme when
/// the reader's system asks for one.
enum Stylesheet {
    /// The tab icon: a timeline's marks, the first one highlighted.
    static let favicon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><line x1="1" y1="12" x2="15" y2="12" stroke="#888"/>\
        <circle cx="3" cy="8" r="2.5" fill="#c2410c"/><circle cx="8" cy="8" r="2.5" fill="#0b62c4"/><circle cx="13" cy="8" r="2.5" fill="#0b62c4"/></svg>
        """

    static let css = """
        :root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b62c4; --first: #c2410c; --bg: #fff; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --accent: #58a6ff; --first: #fb923c; --bg: #0d1117; } }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 62rem; padding: 0.75rem; font: 16px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        a { color: var(--accent); }
        h1 { font-size: 1.4rem; margin: 0.2rem 0 0.6rem; }
        h2 { font-size: 1.15rem; margin: 1.6rem 0 0.5rem; border-bottom: 1px solid var(--line); }
        h3 { font-size: 1rem; margin: 0 0 0.2rem; overflow-wrap: anywhere; }
        .meta, caption, .tick { color: var(--muted); font-size: 0.85rem; }
        caption { text-align: left; }
        ol.stories { list-style: none; padding: 0; margin: 0; }
        ol.stories > li { padding: 0.6rem 0; border-bottom: 1px solid var(--line); }
        .topic { display: inline-block; padding: 0 0.4rem; margin-right: 0.25rem; border: 1px solid var(--line); border-radius: 0.6rem; font-size: 0.8rem; }
        svg.timeline { width: 100%; height: auto; max-height: 5rem; display: block; }
        svg .axis { stroke: var(--line); stroke-width: 1.5; }
        svg .mark { fill: var(--accent); fill-opacity: 0.75; }
        svg .mark.first { fill: var(--first); fill-opacity: 1; }
        svg .first-name { fill: var(--fg); font-size: 12px; }
        svg .tick { fill: var(--muted); font-size: 11px; }
        svg.bars rect { fill: var(--accent); }
        .scroll { overflow-x: auto; position: relative; }
        table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
        th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        td { overflow-wrap: anywhere; }
        .bad { color: var(--first); font-weight: 600; }
        form { margin: 0.4rem 0 0.8rem; }
        select, button { font: inherit; }
        .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
        ol.items { padding-left: 1.2rem; }
        ol.items li { margin-bottom: 0.5rem; overflow-wrap: anywhere; }
        """
}
