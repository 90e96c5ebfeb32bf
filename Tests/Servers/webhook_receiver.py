#!/usr/bin/env python3
"""A webhook receiver on 127.0.0.1 for the delivery tests.

Prints its port, then logs one JSON line per request to stderr:
{"path", "headers", "body", "status", "signature_ok"}. Exits when stdin closes.

The path says how to answer; counters are per path:
  /ok                 200
  /fail/N             500 for the first N requests, then 200
  /reset/N            the connection is dropped without an answer, N times, then 200
  /slow/N             no answer for 5 s, N times (longer than the client's timeout), then 200
  /hang/N             no answer for 60 s, N times (a receiver that outlasts a stop), then 200
  /throttle/N         429 with Retry-After: 1, N times, then 200
  /refuse[/N]         400 (for the first N requests, then 200; always without N)

Signatures are checked against $WEBHOOK_SECRET (whsec_...) the way the Standard Webhooks
specification defines them, with Python's own hmac, hashlib and base64: an independent check of
the client's signing code. Timestamps must be within 5 minutes.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("WEBHOOK_SECRET")
counts = {}
lock = threading.Lock()


def verify(headers, body):
    if not SECRET:
        return None
    key = base64.b64decode(SECRET[len("whsec_"):] if SECRET.startswith("whsec_") else SECRET)
    msg_id, ts, sigs = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature")
    if not (msg_id and ts and sigs):
        return False
    if abs(time.time() - int(ts)) > 300:
        return False
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
    return any(s.split(",", 1) == ["v1", expected] for s in sigs.split(" "))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = self.path.strip("/").split("/")
        with lock:
            n = counts.get(self.path, 0)
            counts[self.path] = n + 1
        limit = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        status = 200
        if parts[0] == "fail" and n < limit:
            status = 500
        elif parts[0] == "reset" and n < limit:
            status = 0
        elif parts[0] == "slow" and n < limit:
            status = -1
        elif parts[0] == "hang" and n < limit:
            status = -2
        elif parts[0] == "throttle" and n < limit:
            status = 429
        elif parts[0] == "refuse" and (limit == 0 or n < limit):
            status = 400
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                  "body": body.decode("utf-8", "replace"), "status": status,
                  "signature_ok": verify({k.lower(): v for k, v in self.headers.items()}, body)}
        sys.stderr.write(json.dumps(record) + "\n")
        sys.stderr.flush()
        if status == 0:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if status in (-1, -2):
            time.sleep(5 if status == -1 else 60)
            self.close_connection = True
            return
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
