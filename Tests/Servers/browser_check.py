#!/usr/bin/env python3
"""Loads Feedwatch's page in a real headless browser: Debian's chromium, driven by Playwright
(launched on /usr/bin/chromium; Playwright's own browser download is never used).

    browser_check.py URL [SCREENSHOT.png]

Prints one JSON object: console errors, CSP violations, requests that left 127.0.0.1, per
timeline SVG its accessible name and mark count and the outlets on the story, the page's visible
text (to check that a hostile title is shown as text), whether a dialog (alert) ever opened, and
the same page with JavaScript disabled. Exits 3 when Playwright or chromium is missing."""
import json
import os
import sys
from urllib.parse import urlparse

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
try:
    from playwright.sync_api import sync_playwright
except ImportError as e:
    print("playwright is not installed: %s" % e, file=sys.stderr)
    sys.exit(3)
if not os.access(CHROMIUM, os.X_OK):
    print("%s is not installed" % CHROMIUM, file=sys.stderr)
    sys.exit(3)

url = sys.argv[1]
screenshot = sys.argv[2] if len(sys.argv) > 2 else None


def visit(browser, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 390, "height": 844})
    page = context.new_page()
    out = {"console_errors": [], "foreign_requests": [], "dialogs": 0, "failed_requests": []}
    page.on("console", lambda m: out["console_errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: out["console_errors"].append(str(e)))
    page.on("dialog", lambda d: (out.__setitem__("dialogs", out["dialogs"] + 1), d.dismiss()))
    page.on("requestfailed", lambda r: out["failed_requests"].append(r.url))

    def request(r):
        host = urlparse(r.url).hostname
        if r.url.startswith("data:"):
            return
        if host != "127.0.0.1":
            out["foreign_requests"].append(r.url)
    page.on("request", request)
    response = page.goto(url, wait_until="load")
    out["status"] = response.status
    out["csp"] = response.headers.get("content-security-policy")
    out["text"] = page.inner_text("body")
    out["h1"] = page.locator("h1").all_inner_texts()
    out["stylesheet_applied"] = page.evaluate("getComputedStyle(document.body).maxWidth") if javascript else None
    out["timelines"] = []
    for svg in page.locator("svg.timeline").all():
        labelled = svg.get_attribute("aria-labelledby") or ""
        names = [page.locator("#" + i).text_content() for i in labelled.split() if i]
        outlets = svg.locator("circle.mark").evaluate_all("els => els.map(e => e.getAttribute('data-outlet'))")
        out["timelines"].append({"role": svg.get_attribute("role"), "names": names, "marks": len(outlets), "outlets": outlets})
    out["scroll_width"] = page.evaluate("document.documentElement.scrollWidth") if javascript else None
    if screenshot and javascript:
        page.screenshot(path=screenshot, full_page=True)
    context.close()
    return out


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    result = {"javascript": visit(browser, True), "no_javascript": visit(browser, False)}
    browser.close()
print(json.dumps(result))
