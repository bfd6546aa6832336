"""Reading what a real SMTP server (tests/smtp.py) captured: the raw bytes, and each message's
parts as Python's `email` package reads them, with the calendar read by icalendar and ical.js."""
from email import message_from_bytes, policy
from email.message import EmailMessage

import icalendar

from tests.calendar_parsers import both_parsers, with_icaljs

# RFC 5322 2.1.1: no line longer than 998 octets, CRLF excluded.
LONGEST_LINE = 998


def raw_messages(smtp_server) -> list[bytes]:
    with smtp_server.handler.lock:
        return list(smtp_server.handler.received)


def longest_line(raw: bytes) -> int:
    return max(len(line) for line in raw.split(b"\r\n"))


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)


def calendar_part(message: EmailMessage):
    """The text/calendar alternative (where Outlook looks for a meeting), or None."""
    return message.get_body(("calendar",))


def calendar_text(message: EmailMessage) -> str:
    """The calendar alternative's text, decoded strictly as UTF-8 (a wrong octet raises)."""
    part = calendar_part(message)
    assert part is not None, "no text/calendar alternative"
    assert part.get_content_charset() == "utf-8"
    return part.get_payload(decode=True).decode("utf-8")


def read_calendar(message: EmailMessage) -> dict:
    """Everything the tests check about a mailed calendar, after checking both parsers agree."""
    text = calendar_text(message)
    part = calendar_part(message)
    [vevent] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    js = with_icaljs(text)
    [shared] = both_parsers(text)
    [js_event] = js["events"]
    assert js_event["description"] == str(vevent["DESCRIPTION"])
    assert js_event["location"] == (str(vevent["LOCATION"]) if "LOCATION" in vevent else None)
    return {
        "text": text, "part_method": part.get_param("method"), "body_method": js["method"],
        "vevent": vevent, "js": js_event, **shared,
    }


def by_recipient(smtp_server) -> dict[str, list[EmailMessage]]:
    found: dict[str, list[EmailMessage]] = {}
    for raw in raw_messages(smtp_server):
        message = parse(raw)
        found.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return found
