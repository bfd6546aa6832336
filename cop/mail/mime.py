"""The MIME layout of every mail cop sends, built with the standard library's `email` package.

    multipart/mixed                      (only when there is something attached)
      multipart/alternative
        text/plain; charset=utf-8        quoted-printable
        text/html; charset=utf-8         quoted-printable
        text/calendar; method=REQUEST; charset=utf-8    base64  (a calendar mail only)
      application/ics; name=invite.ics   base64  (the same calendar, for clients that only show files)
      image/png; name=check-in.png       base64

Outlook and Exchange find a meeting in a `text/calendar; method=...` alternative (the
layout Google Calendar sends), Gmail and Apple Mail read it too, and the attached copy is
`application/ics` so that no client takes it for a second meeting. Every part is encoded
(quoted-printable or base64), so any character arrives intact and no line exceeds RFC
5322's 998 octets whatever the organiser writes.

Flask-Mail's own builder is not used: it encodes a text attachment with raw-unicode-escape
("Siân" arrived as Latin-1, an em dash as the text "\\u2014") and sends 8-bit UTF-8 bodies
unencoded, with lines of any length.
"""
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate

from flask_mail import Message

CALENDAR_TYPE = "text/calendar"


def _content_type(value: str) -> tuple[str, dict[str, str]]:
    """'text/calendar; method=REQUEST; charset="UTF-8"' -> ('text/calendar', {'method': 'REQUEST', ...})."""
    kind, *params = [piece.strip() for piece in value.split(";")]
    parameters = {}
    for param in params:
        if "=" in param:
            key, _, raw = param.partition("=")
            parameters[key.strip().lower()] = raw.strip().strip('"')
    return kind.lower(), parameters


def calendar_method(text: str) -> str | None:
    """The METHOD written in a VCALENDAR's body (before its first component)."""
    for line in text.splitlines():
        if line.upper().startswith("BEGIN:VEVENT"):
            break
        if line.upper().startswith("METHOD:"):
            return line.split(":", 1)[1].strip().upper()
    return None


def _text(data) -> str:
    return data.decode("utf-8") if isinstance(data, bytes) else data


def _address(value) -> str:
    return formataddr(value) if isinstance(value, tuple) else value


class OutboxMail(Message):
    """A Flask-Mail Message (the SMTP connection reads its sender, recipients and options)
    whose bytes follow cop's layout. Built once: as_bytes() returns the same bytes again."""

    _built: bytes | None = None

    # flask_mail declares MIMEBase; it only calls as_string()/as_bytes(), which EmailMessage has.
    def _message(self) -> EmailMessage:  # type: ignore[override]
        calendar = next(
            (a for a in self.attachments if _content_type(a.content_type)[0] == CALENDAR_TYPE), None
        )
        mime = EmailMessage(policy=SMTP)
        mime.set_content(self.body or "", subtype="plain", charset="utf-8", cte="quoted-printable")
        if self.html:
            mime.add_alternative(self.html, subtype="html", charset="utf-8", cte="quoted-printable")
        if calendar is not None:
            text = _text(calendar.data)
            method = calendar_method(text) or _content_type(calendar.content_type)[1].get("method", "PUBLISH")
            mime.add_alternative(text, subtype="calendar", charset="utf-8", cte="base64",
                                 params={"method": method.upper()})
        for attachment in self.attachments:
            kind, _params = _content_type(attachment.content_type)
            maintype, _, subtype = kind.partition("/")
            data = attachment.data
            if attachment is calendar:
                maintype, subtype, data = "application", "ics", _text(data).encode("utf-8")
            elif isinstance(data, str):
                data = data.encode("utf-8")
            mime.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.filename)
        # Headers last: make_mixed (in add_attachment) moves only the Content-* ones down.
        mime["Subject"] = self.subject
        mime["From"] = _address(self.sender)
        mime["To"] = ", ".join(_address(recipient) for recipient in self.recipients)
        if self.cc:
            mime["Cc"] = ", ".join(_address(recipient) for recipient in self.cc)
        mime["Date"] = formatdate(self.date, localtime=True)
        mime["Message-ID"] = self.msgId
        if self.reply_to:
            mime["Reply-To"] = _address(self.reply_to)
        for key, value in (self.extra_headers or {}).items():
            mime[key] = value
        if "MIME-Version" not in mime:
            mime["MIME-Version"] = "1.0"
        return mime

    def as_bytes(self) -> bytes:
        if self._built is None:
            self._built = self._message().as_bytes()
        return self._built
