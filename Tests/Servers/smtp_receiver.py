#!/usr/bin/env python3
"""An SMTP server on 127.0.0.1 for the email sink's tests (aiosmtpd, from PyPI).

Prints its port, then logs one JSON line per attempted mail to stderr:
{"mail_from", "rcpt_tos", "data", "auth_user", "status"}. Exits when stdin closes.

Each accepted message is also read back with Python's own `email` package (policy.default),
an independent check of the client's MIME and RFC 2047 encoding: "subject" (decoded),
"message_id", "in_reply_to", "references", "content_type", "text" and "html" (the decoded
parts) and "defects" (what the parser found wrong).

The first recipient's local part says how to answer; counters are per recipient:
  desk@…           250
  tempfail-N@…     451 to DATA for the first N mails, then 250
  refuse@…         550 to RCPT (the mail is never accepted; logged with an empty "data")

With $SMTP_USER and $SMTP_PASSWORD set, AUTH (PLAIN, LOGIN) is required and checked against
them; on loopback without TLS (auth_require_tls=False), as a local relay would allow.
"""
import asyncio
import email
import email.policy
import json
import os
import re
import sys
import threading
import warnings

warnings.filterwarnings("ignore")  # aiosmtpd warns that AUTH without TLS is unsafe: on loopback, on purpose

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER = os.environ.get("SMTP_USER")
PASSWORD = os.environ.get("SMTP_PASSWORD")
counts = {}


def log(record):
    sys.stderr.write(json.dumps(record) + "\n")
    sys.stderr.flush()


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
          and auth_data.password.decode() == PASSWORD)
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login.decode() if ok else None)


def read_back(data):
    message = email.message_from_bytes(data, policy=email.policy.default)
    out = {"subject": str(message["Subject"]), "message_id": message["Message-ID"],
           "in_reply_to": message["In-Reply-To"], "references": message["References"],
           "content_type": message.get_content_type(), "defects": [str(d) for d in message.defects]}
    for part in message.walk():
        out["defects"] += [str(d) for d in part.defects]
        if part.get_content_type() == "text/plain":
            out["text"] = part.get_content()
        elif part.get_content_type() == "text/html":
            out["html"] = part.get_content()
    return out


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0] == "refuse":
            log({"mail_from": envelope.mail_from, "rcpt_tos": [address], "data": "", "auth_user": session.auth_data,
                 "status": 550})
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        first = envelope.rcpt_tos[0]
        n = counts.get(first, 0)
        counts[first] = n + 1
        m = re.match(r"tempfail-(\d+)@", first)
        status = 451 if m and n < int(m.group(1)) else 250
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "data": envelope.original_content.decode("utf-8", "replace"),
                  "auth_user": session.auth_data, "status": status}
        record.update(read_back(envelope.original_content))
        log(record)
        return "451 4.3.0 try again later" if status == 451 else "250 Message accepted"


def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    auth = USER is not None

    def factory():
        return SMTP(Handler(), hostname="feedwatch-test", authenticator=authenticator if auth else None,
                    auth_required=auth, auth_require_tls=False)

    server = loop.run_until_complete(loop.create_server(factory, host="127.0.0.1", port=0))
    print(server.sockets[0].getsockname()[1], flush=True)

    def wait_for_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=wait_for_stdin, daemon=True).start()
    loop.run_forever()


main()
