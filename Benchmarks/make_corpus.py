#!/usr/bin/env python3
"""Writes the parse benchmark's documents: ~5 MB of RSS 2.0 and ~5 MB of Atom 1.0, hundreds of
items each, with the kind of HTML news sites put in feeds (paragraphs, links, emphasis, figures,
lists, quotes, named entities). Deterministic: the same bytes on every machine."""
import random, sys, os
from xml.sax.saxutils import escape

WORDS = ("police facial recognition software department surveillance camera city council vote privacy "
         "advocates company announced moratorium technology accuracy study researchers federal agency "
         "law enforcement database images public records lawsuit civil liberties union officials said "
         "report bias algorithm vendor contract million dollars pilot program airport border court "
         "ruling legislation ban state senator bill hearing testimony evidence arrest misidentified "
         "the a of to and in for on with that by from as at is was will has have it this which").split()

def sentence(rng, n=None):
    words = [rng.choice(WORDS) for _ in range(n or rng.randint(8, 22))]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])

def paragraph(rng):
    parts = []
    for _ in range(rng.randint(2, 5)):
        s = sentence(rng)
        r = rng.random()
        if r < 0.15:
            w = rng.choice(WORDS)
            s = s.replace(" " + w + " ", f' <a href="https://news.example.com/{w}/{rng.randint(1, 99999)}?utm_source=rss&amp;utm_medium=feed">{w}</a> ', 1)
        elif r < 0.25:
            s = f"<strong>{s}</strong>"
        elif r < 0.32:
            s = s.replace(" the ", " the&nbsp;", 1) + " &mdash; officials&rsquo; view"
        parts.append(s)
    return "<p>" + " ".join(parts) + "</p>"

def article(rng, size):
    html = []
    while sum(map(len, html)) < size:
        r = rng.random()
        if r < 0.08:
            html.append(f'<figure><img src="https://cdn.example.com/img/{rng.randint(1, 10**6)}.jpg" alt="{sentence(rng, 6)[:-1]}" width="800" height="450"/><figcaption>{sentence(rng)}</figcaption></figure>')
        elif r < 0.14:
            html.append("<ul>" + "".join(f"<li>{sentence(rng, 7)}</li>" for _ in range(rng.randint(2, 5))) + "</ul>")
        elif r < 0.18:
            html.append(f"<blockquote><p>&ldquo;{sentence(rng)}&rdquo;</p></blockquote>")
        elif r < 0.20:
            html.append('<script type="text/javascript">window.dataLayer = window.dataLayer || [];</script>')
        else:
            html.append(paragraph(rng))
    return "\n".join(html)

def rss(rng, items):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
           '<title>Benchmark News</title>\n<link>https://news.example.com/</link>\n'
           '<atom:link href="https://news.example.com/feed/" rel="self" type="application/rss+xml"/>\n'
           '<description>Synthetic news for the parse benchmark</description>\n<language>en-US</language>\n'
           '<lastBuildDate>Tue, 09 Jun 2020 10:00:00 +0000</lastBuildDate>\n']
    for i in range(items):
        title = sentence(rng, rng.randint(6, 12))[:-1]
        body = article(rng, rng.randint(6000, 12000))
        summary = paragraph(rng)
        out.append(f'''<item>
<title>{escape(title)}</title>
<link>https://news.example.com/2020/06/{i}-{title.split()[0].lower()}</link>
<dc:creator><![CDATA[{rng.choice(["Isabel Togoh", "Jane Doe", "John Roe", "Ann Writer"])}]]></dc:creator>
<pubDate>Tue, {1 + i % 28:02d} Jun 2020 {i % 24:02d}:{i % 60:02d}:00 +0000</pubDate>
<category><![CDATA[{rng.choice(["Surveillance", "Privacy", "Policing", "AI"])}]]></category>
<category><![CDATA[{rng.choice(["US", "Europe", "Tech"])}]]></category>
<guid isPermaLink="false">https://news.example.com/?p={100000 + i}</guid>
<description>{escape(summary)}</description>
<content:encoded><![CDATA[{body}]]></content:encoded>
</item>
''')
    out.append("</channel>\n</rss>\n")
    return "".join(out)

def atom(rng, items):
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
           '<title>Benchmark Atom</title>\n<link rel="alternate" href="https://atom.example.com/"/>\n'
           '<link rel="self" href="https://atom.example.com/feed.atom"/>\n<id>urn:uuid:bench</id>\n'
           '<updated>2020-06-09T10:00:00Z</updated>\n<author><name>Desk</name></author>\n']
    for i in range(items):
        title = sentence(rng, rng.randint(6, 12))[:-1]
        out.append(f'''<entry>
<title type="html">{escape(escape(title))}</title>
<link rel="alternate" type="text/html" href="https://atom.example.com/2020/06/{i}"/>
<id>tag:atom.example.com,2020:{i}</id>
<published>2020-06-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z</published>
<updated>2020-06-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:30-04:00</updated>
<author><name>{rng.choice(["Isabel Togoh", "Jane Doe", "John Roe"])}</name></author>
<category term="{rng.choice(["surveillance", "privacy", "policing"])}"/>
<summary type="html">{escape(paragraph(rng))}</summary>
<content type="html">{escape(article(rng, rng.randint(6000, 12000)))}</content>
</entry>
''')
    out.append("</feed>\n")
    return "".join(out)

def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "Benchmarks/data"
    os.makedirs(target, exist_ok=True)
    for name, make in (("rss2-5mb.xml", rss), ("atom-5mb.xml", atom)):
        rng = random.Random(20201122)
        doc = make(rng, 520)
        with open(os.path.join(target, name), "w", encoding="utf-8") as f:
            f.write(doc)

if __name__ == "__main__":
    main()
