#!/usr/bin/env python3
"""Writes OUTLETS RSS feeds covering EVENTS news events, for the web page benchmark: each event is
reported by 1 to 8 outlets within a few hours, in different words drawn from the event's own
vocabulary (a place, an actor, a subject), so story grouping makes about EVENTS stories of
realistic sizes. Every item mentions the police, so the topic matches it. Deterministic; dates
are relative to now (the last 24 hours), so the page's default period shows them.

    make_story_feeds.py OUTLETS EVENTS DIR"""
import email.utils
import os
import random
import sys
import time

outlets, events, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
rng = random.Random(17)
SYLLABLES = "ka lo mi ran tes vor zu bel dan fir gol hap jin kes lum nor pex qui rus sil tam uv wex yor zan".split()
VERBS = ["investigate", "arrest", "question", "search", "close", "reopen", "fine", "charge", "raid", "clear"]
NOUNS = ["warehouse", "bridge", "museum", "harbour", "stadium", "depot", "clinic", "market", "tower", "station"]


def word():
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


now = time.time()
feeds = {o: [] for o in range(outlets)}
for e in range(events):
    place, actor, noun, verb = word(), word(), rng.choice(NOUNS), rng.choice(VERBS)
    start = now - rng.uniform(1, 22) * 3600
    k = min(outlets, max(1, int(rng.paretovariate(1.2))))
    for n, o in enumerate(rng.sample(range(outlets), k)):
        templates = [f"{place} police {verb} {actor} over {noun} incident",
                     f"Police in {place} {verb} {actor} after {noun} incident",
                     f"{actor}: {place} police {verb} after {noun} incident",
                     f"{noun.capitalize()} incident: {place} police move to {verb} {actor}"]
        title = templates[n % len(templates)]
        summary = f"Officers in {place} said they would {verb} {actor} following the incident at the {noun}."
        at = start + n * rng.uniform(300, 5400)
        feeds[o].append((f"e{e}-o{o}", title, summary, at))
for o, items in feeds.items():
    body = "".join(
        f"<item><guid isPermaLink=\"false\">{g}</guid><title>{t}</title><description>{s}</description>"
        f"<link>https://outlet{o}.example/{g}</link><pubDate>{email.utils.formatdate(at, usegmt=True)}</pubDate></item>"
        for g, t, s, at in sorted(items, key=lambda i: -i[3]))
    with open(os.path.join(out, f"outlet{o}.xml"), "w") as f:
        f.write(f"<rss version=\"2.0\"><channel><title>Outlet {o}</title>{body}</channel></rss>")
