"""Mail that comes back to cop: calendar answers (iTIP METHOD:REPLY) sent to a reply address.

When MAIL_REPLY_ADDRESS is set (say `replies@cop.example.org`), each invitation's calendar
names a plus-address of it as ORGANIZER (`replies+i42.<mac>@cop.example.org`), so Accept,
Tentative or Decline in Outlook, Gmail or Apple Mail mails a REPLY there. The site's mail
server delivers that address (and its plus-addresses) to `flask --app wsgi cop inbound`, an
LMTP (or, with --smtp, SMTP) listener; see README, "Inbound replies".

This module knows mail, not invitations: it parses what arrives, finds each calendar reply
and the tag of the address it came to, and hands them to the handler the invitations
feature registers (`register_reply_handler`), so the mail package imports nothing above it.
"""
import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.utils import getaddresses

import icalendar
from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from flask import Flask, current_app

from cop.extensions import db

MAX_MESSAGE_BYTES = 10 * 1024 * 1024


@dataclass
class CalendarReply:
    """One VCALENDAR with METHOD:REPLY, and the tag of the reply address it was sent to."""

    tag: str
    calendar: icalendar.Calendar
    sender: str  # the From address, for the log


ReplyHandler = Callable[[CalendarReply], str]
_handlers: list[ReplyHandler] = []


def register_reply_handler(handler: ReplyHandler) -> None:
    """A feature that answers calendar replies registers here; it returns what it did, in a word."""
    if handler not in _handlers:
        _handlers.append(handler)


def _split(address: str) -> tuple[str, str]:
    local, _, domain = address.strip().strip("<>").rpartition("@")
    return local, domain.lower()


def tagged_address(base: str, tag: str) -> str:
    """replies@cop.example.org + tag -> replies+tag@cop.example.org (plus-addressing)."""
    local, domain = _split(base)
    return f"{local}+{tag}@{domain}"


def tag_of(address: str, base: str) -> str | None:
    """The tag of a plus-address of base, or None if the address is not one."""
    local, domain = _split(address)
    base_local, base_domain = _split(base)
    prefix = base_local.lower() + "+"
    if domain != base_domain or not local.lower().startswith(prefix):
        return None
    return local[len(prefix):] or None


def calendar_replies(raw: bytes) -> tuple[str, list[icalendar.Calendar]]:
    """The sender's address and every METHOD:REPLY calendar in a message (a part or an .ics file)."""
    message = message_from_bytes(raw, policy=policy.default)
    found = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_type() not in ("text/calendar", "application/ics"):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        try:
            calendar = icalendar.Calendar.from_ical(data.decode(part.get_content_charset() or "utf-8", "replace"))
        except (ValueError, LookupError):
            continue
        if str(calendar.get("METHOD", "")).upper() == "REPLY":
            found.append(calendar)
    senders = getaddresses([str(message.get("From", ""))])
    return (senders[0][1] if senders else ""), found


def receive(raw: bytes, recipients: list[str]) -> list[str]:
    """Apply a delivered message: each calendar reply to each tagged recipient. What was done, per reply."""
    base = current_app.config["MAIL_REPLY_ADDRESS"]
    tags = [tag for tag in (tag_of(address, base) for address in recipients) if tag]
    sender, calendars = calendar_replies(raw)
    outcomes = []
    for tag in tags:
        for calendar in calendars:
            for handler in _handlers:
                outcomes.append(handler(CalendarReply(tag=tag, calendar=calendar, sender=sender)))
    if not calendars:
        outcomes.append("no calendar reply")
    elif not tags:
        outcomes.append("ignored: no reply address tag")
    current_app.logger.info("inbound mail from %s to %s: %s", sender, ", ".join(recipients), "; ".join(outcomes))
    return outcomes


class InboundHandler:
    """aiosmtpd handler: accepts mail for the reply address and its plus-addresses, and applies it.

    The database work runs in a worker thread inside the app's context, so the listener keeps
    taking connections meanwhile. A message that cannot be applied for a passing reason (the
    database is down) is answered 451, so the mail server tries again later.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.base = app.config["MAIL_REPLY_ADDRESS"]
        self.applied: list[list[str]] = []  # per message, for tests and the log
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local, domain = _split(address)
        base_local, base_domain = _split(self.base)
        if domain != base_domain or local.lower().split("+", 1)[0] != base_local.lower():
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        try:
            outcomes = await loop.run_in_executor(None, self._apply, envelope.content, list(envelope.rcpt_tos))
        except Exception:  # noqa: BLE001 - logged; the server keeps the message and retries
            self.app.logger.exception("inbound mail could not be applied")
            refusal = "451 4.3.0 Could not process the message now, try again later"
            return "\r\n".join(refusal for _ in envelope.rcpt_tos) if isinstance(server, LMTP) else refusal
        with self.lock:
            self.applied.append(outcomes)
        if isinstance(server, LMTP):
            # LMTP answers DATA once per accepted recipient (RFC 2033 4.2); Postfix and Exim wait for each.
            return "\r\n".join("250 2.0.0 OK" for _ in envelope.rcpt_tos)
        return "250 2.0.0 OK"

    def _apply(self, raw: bytes, recipients: list[str]) -> list[str]:

        with self.app.app_context():
            try:
                return receive(raw, recipients)
            finally:
                db.session.remove()


class _LmtpController(Controller):
    def factory(self):
        return LMTP(self.handler, data_size_limit=MAX_MESSAGE_BYTES)


def start_listener(app: Flask, host: str, port: int, lmtp: bool = True) -> Controller:
    """Start the inbound listener in a thread (stop it with .stop())."""
    if not app.config.get("MAIL_REPLY_ADDRESS"):
        raise RuntimeError("set MAIL_REPLY_ADDRESS: the address whose plus-addresses carry calendar replies")
    handler = InboundHandler(app)
    controller: Controller
    if lmtp:
        controller = _LmtpController(handler, hostname=host, port=port)
    else:
        controller = Controller(handler, hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)
    controller.start()
    return controller
