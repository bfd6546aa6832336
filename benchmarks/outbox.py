"""The outbox's delivery rate to a local SMTP server, beside plain smtplib sends in the same run.

    python benchmarks/outbox.py [--database-url URL] [--messages 500]

Starts an aiosmtpd server on 127.0.0.1, queues --messages invitation-sized mails (text
and HTML) in the outbox, and times `deliver_due` sending them all (claim each row, send,
mark it sent, commit: one transaction per message). The baseline sends the same number of
messages of the same size with smtplib over one connection, with no database at all.
Prints the two rates and their ratio.
"""
import argparse
import logging
import smtplib
import socket
import time
from email.message import EmailMessage

from _setup import migrated_app, throwaway_sqlite_url
from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TEXT = "Hello,\n\nYou are invited to the Big Room.\n\nhttp://cop.bench/rsvp/" + "x" * 43 + "\n" * 3 + "Details. " * 60
HTML = "<p>Hello,</p><p>You are invited to the Big Room.</p>" + "<p>Details.</p>" * 60


def baseline(port: int, count: int) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for number in range(count):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "cop <no-reply@cop.bench>", \
                f"guest{number}@example.org", f"Message {number}"
            message.set_content(TEXT)
            message.add_alternative(HTML, subtype="html")
            smtp.send_message(message)
    return count / (time.perf_counter() - started)


def outbox_rate(app, count: int) -> tuple[float, int]:
    from cop.extensions import db
    from cop.mail.outbox import deliver_due, queue_mail

    with app.app_context():
        for number in range(count):
            queue_mail(f"guest{number}@example.org", f"Message {number}", TEXT, HTML)
        db.session.commit()
        started = time.perf_counter()
        report = deliver_due(limit=count)
        elapsed = time.perf_counter() - started
    return report.sent / elapsed, report.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a throwaway SQLite file")
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = migrated_app(args.database_url or throwaway_sqlite_url(), MAIL_BACKEND="smtp",
                           MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        smtplib_per_s = baseline(port, args.messages)
        outbox_per_s, sent = outbox_rate(app, args.messages)
    finally:
        controller.stop()
    assert sent == args.messages and handler.count == 2 * args.messages, "some mail was not delivered"
    print(f"smtplib_per_s={smtplib_per_s:.1f}")
    print(f"outbox_per_s={outbox_per_s:.1f}")
    print(f"outbox_ratio={outbox_per_s / smtplib_per_s:.2f}")


if __name__ == "__main__":
    main()
