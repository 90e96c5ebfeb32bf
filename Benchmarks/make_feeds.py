#!/usr/bin/env python3
"""Writes N static RSS 2.0 feeds (~30 KB, 20 items each) for the poll benchmark, deterministically.

    make_feeds.py N DIR
    MATCH_SHARE=1 make_feeds.py N DIR   (every item's title names facial recognition; 0: no item matches)

About one item in fifteen mentions facial recognition or the police, so the benchmark's topics
match some items, as a real topic set would. With MATCH_SHARE, that share of the items (drawn
the same way, one by one) carries "facial recognition" in its title and nothing else does: the
story benchmark's cycle where every item is grouped, against one where none is."""
import os
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = random.Random(2026)
WORDS = ("the of and to a in that is for on it with as was he be by at from his an have are has this "
         "city council report company technology privacy people year new said officials data court law "
         "state government public school market energy health study researchers election policy budget").split()
TOPICAL = ["facial recognition", "police", "law enforcement", "face surveillance", "policing"]
SHARE = float(os.environ["MATCH_SHARE"]) if "MATCH_SHARE" in os.environ else None


def sentence(k):
    words = [rng.choice(WORDS) for _ in range(k)]
    if SHARE is None and rng.random() < 0.008:
        words.insert(rng.randrange(len(words)), rng.choice(TOPICAL))
    return " ".join(words).capitalize() + "."


for f in range(n):
    items = []
    for i in range(20):
        body = "".join("<p>%s <a href=\"https://site%d.example/x?utm_source=rss\">%s</a> %s</p>" %
                       (sentence(18), f, rng.choice(WORDS), sentence(14)) for _ in range(4))
        title = sentence(8)[:-1]
        if SHARE is not None and rng.random() < SHARE:
            words = title.split(" ")
            words.insert(rng.randrange(len(words) + 1), "facial recognition")
            title = " ".join(words)
        items.append(
            "<item><title>%s</title><link>https://site%d.example/%d/%d</link>"
            "<guid isPermaLink=\"false\">site%d-%d</guid><pubDate>Sun, 22 Nov 2026 %02d:%02d:00 GMT</pubDate>"
            "<description><![CDATA[%s]]></description></item>"
            % (title, f, f, i, f, i, i % 24, (f + i) % 60, body))
    doc = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Site %d</title>"
           "<link>https://site%d.example/</link><description>Feed %d</description>%s</channel></rss>\n"
           % (f, f, f, "".join(items)))
    with open(os.path.join(out, "%05d.xml" % f), "w") as fh:
        fh.write(doc)
