#!/usr/bin/env python3
"""A loopback HTTP server for Feedwatch's end-to-end tests: scripted feed responses on 127.0.0.1.

    feed_server.py FIXTURES_DIR     prints the port it listens on, then serves until killed

Every request is logged to stderr as "METHOD PATH | header: value; ..." so tests can check what
Feedwatch sent."""
import gzip
import http.server
import os
import signal
import sys
import threading
import time

FIXTURES = sys.argv[1]


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


RELATIVE = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Relative</title>
<item><title>One</title><link>/posts/1</link></item></channel></rss>"""


IN_FLIGHT = 0
IN_FLIGHT_LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", content_type="application/rss+xml", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name == "Content-Length" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        sys.stderr.write("GET %s | %s\n" % (self.path, "; ".join("%s: %s" % kv for kv in self.headers.items())))
        sys.stderr.flush()
        path = self.path
        if path == "/feed.xml":
            self.send(200, fixture("rss2-basic.xml"))
        elif path.startswith("/files/"):
            # A file of the fixtures directory, read afresh each time (tests rewrite them).
            name = os.path.basename(path[len("/files/"):])
            try:
                self.send(200, fixture(name))
            except FileNotFoundError:
                self.send(404, b"no such file", "text/plain")
        elif path.startswith("/farm/"):
            # A file of the fixtures directory, read afresh (a fleet test rewrites them), with the
            # time each request arrived, so the test can check how far apart one feed's polls were.
            name = os.path.basename(path[len("/farm/"):])
            sys.stderr.write("farm %s %.6f\n" % (name, time.time()))
            sys.stderr.flush()
            try:
                self.send(200, fixture(name))
            except FileNotFoundError:
                self.send(404, b"no such file", "text/plain")
        elif path == "/windows-1252":
            self.send(200, fixture("encoding-http-charset.xml"), "text/xml; charset=\"windows-1252\"")
        elif path == "/relative/feed":
            self.send(200, RELATIVE)
        elif path == "/moved":
            self.send(301, b"moved", "text/plain", [("Location", "/relative/feed")])
        elif path == "/loop":
            self.send(302, b"", "text/plain", [("Location", "/loop")])
        elif path == "/to-file":
            self.send(302, b"", "text/plain", [("Location", "file:///etc/passwd")])
        elif path == "/etag":
            # Validators on every response; a matching If-None-Match or If-Modified-Since gets 304.
            validators = [("ETag", '"v1"'), ("Last-Modified", "Wed, 21 Oct 2026 07:28:00 GMT"),
                          ("Cache-Control", "max-age=3600")]
            if self.headers.get("If-None-Match") == '"v1"' or \
                    self.headers.get("If-Modified-Since") == "Wed, 21 Oct 2026 07:28:00 GMT":
                self.send_response(304)
                for name, value in validators:
                    self.send_header(name, value)
                self.end_headers()
            else:
                self.send(200, fixture("rss2-basic.xml"), headers=validators)
        elif path == "/permanent":
            self.send(308, b"", "text/plain", [("Location", "/also-permanent")])
        elif path == "/also-permanent":
            self.send(301, b"", "text/plain", [("Location", "/feed.xml")])
        elif path == "/temporary":
            self.send(302, b"", "text/plain", [("Location", "/feed.xml")])
        elif path == "/permanent-then-temporary":
            self.send(301, b"", "text/plain", [("Location", "/temporary")])
        elif path == "/gone":
            self.send(410, b"gone", "text/plain")
        elif path == "/busy":
            self.send(429, b"slow down", "text/plain", [("Retry-After", "120")])
        elif path == "/busy-2s":
            # Logs when each request arrived and when its answer was out, to the microsecond.
            sys.stderr.write("arrived %.6f\n" % time.time())
            self.send(429, b"slow down", "text/plain", [("Retry-After", "2")])
            self.wfile.flush()
            sys.stderr.write("answered %.6f\n" % time.time())
            sys.stderr.flush()
        elif path.startswith("/slow/"):
            # Holds the request a moment and logs how many were in flight at once.
            global IN_FLIGHT
            with IN_FLIGHT_LOCK:
                IN_FLIGHT += 1
                sys.stderr.write("in-flight %d\n" % IN_FLIGHT)
                sys.stderr.flush()
            time.sleep(0.3)
            with IN_FLIGHT_LOCK:
                IN_FLIGHT -= 1
            self.send(200, fixture("rss2-basic.xml"))
        elif path == "/truncated":
            # Promises the whole document, sends half, and hangs up.
            body = fixture("rss2-basic.xml")
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        elif path == "/missing":
            self.send(404, b"<html><body>not here</body></html>", "text/html")
        elif path == "/page":
            self.send(200, b"<!DOCTYPE html><html><body>a web page</body></html>", "text/html")
        elif path == "/gzip":
            if "gzip" not in self.headers.get("Accept-Encoding", ""):
                self.send(406, b"gzip expected", "text/plain")
            else:
                self.send(200, gzip.compress(fixture("atom10.xml")), "application/atom+xml", [("Content-Encoding", "gzip")])
        elif path == "/huge":
            # Declares 50 MB: the transfer must stop on the header, not download it.
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            self.wfile.write(b"<rss>")
        elif path == "/drip":
            # One byte a second, forever (until the client gives up).
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            try:
                for b in fixture("rss2-basic.xml"):
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self.send(404, b"unknown path", "text/plain")


# A test runner may spawn us with SIGTERM blocked; and whatever happens to it, we must not outlive
# it: we exit when our standard input closes.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])


def exit_when_parent_goes():
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=exit_when_parent_goes, daemon=True).start()
class Server(http.server.ThreadingHTTPServer):
    # socketserver's backlog of 5 drops the SYNs of a poller with dozens of transfers to this
    # one host; the retransmits (1 s, 3 s, 7 s…) then look like a server too slow to answer.
    request_queue_size = 128


server = Server(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
