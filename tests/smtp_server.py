"""A real SMTP server for the mail tests (aiosmtpd, installed by scripts/setup).

    smtp_server.py PORT MAILDIR [CERT KEY]

Stores every message it accepts in the Maildir MAILDIR, one file per delivery (so a message
sent twice is two files). Refuses any recipient whose address starts with "reject" with a
permanent 550. With CERT and KEY it offers STARTTLS with that certificate and refuses mail
until the client has started TLS. Runs until killed.
"""

import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("reject"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def main():
    port, maildir = int(sys.argv[1]), sys.argv[2]
    params = {}
    if len(sys.argv) > 4:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        params = {"tls_context": context, "require_starttls": True}
    controller = Controller(Handler(maildir), hostname="127.0.0.1", port=port, **params)
    controller.start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
