"""Queue mail with the change that causes it; deliver it later, retrying, never dropping it.

A message is marked sent only after the SMTP server accepted it. Several workers may
run at once: each claims one message at a time with FOR UPDATE SKIP LOCKED (on
PostgreSQL), holding the row lock while it talks to the server, so no two workers
send the same message and a worker killed mid-send leaves its message pending.
"""
import base64
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Message, sanitize_address, sanitize_addresses
from sqlalchemy import select

from cop.clock import utcnow
from cop.extensions import db
from cop.mail.mime import OutboxMail
from cop.mail.models import OutboxMessage
from cop.text import one_line

MAX_TRIES = 12
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600


def queue_mail(
    recipient: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    reply_to: str | None = None,
    attachments: list[dict] | None = None,
    community_id: int | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (the caller commits)."""
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        reply_to=reply_to,
        attachments=attachments or [],
        community_id=community_id,
        state="pending",
        tries=0,
        next_try_at=utcnow(),
    )
    db.session.add(message)
    return message


def retry_delay(tries: int) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, ... at most an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (tries - 1), LONGEST_RETRY_SECONDS))


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


class PermanentFailure(Exception):
    """The server refused for good (a 5xx reply), or the message cannot be built: retrying will not help."""


def deliver_due(limit: int = 100, now: datetime | None = None) -> DeliveryReport:
    """Deliver up to `limit` due messages, one transaction each, over one SMTP connection."""
    report = DeliveryReport()
    with _SmtpConnection() as smtp:
        for _ in range(limit):
            message = _claim_next_due(now or utcnow())
            if message is None:
                break
            try:
                _send(message, smtp)
            except PermanentFailure as error:
                _fail(message, error.__cause__ or error)
                report.failed += 1
            except (smtplib.SMTPException, OSError) as error:
                _schedule_retry(message, error, now or utcnow())
                if message.state == "failed":
                    report.failed += 1
                else:
                    report.retrying += 1
            else:
                message.state = "sent"
                message.sent_at = utcnow()
                message.last_error = None
                report.sent += 1
            db.session.commit()
    db.session.commit()  # end the last (empty) claim's transaction
    return report


def _claim_next_due(now: datetime) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_try_at <= now)
        .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.execute(query).scalar_one_or_none()


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _schedule_retry(message: OutboxMessage, error: Exception, now: datetime) -> None:
    message.tries += 1
    message.last_error = _error_text(error)
    if message.tries >= MAX_TRIES:
        message.state = "failed"
    else:
        message.next_try_at = now + retry_delay(message.tries)


def _fail(message: OutboxMessage, error: BaseException) -> None:
    message.tries += 1
    message.last_error = _error_text(error)
    message.state = "failed"


def _is_permanent(error: smtplib.SMTPException) -> bool:
    """5xx replies are final; 4xx ones (and a server that is down) are worth retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        return False
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


class _SmtpConnection:
    """One SMTP connection for a batch, opened on first use, with MAIL_TIMEOUT on every read.

    Flask-Mail builds the messages; the connection is opened here because Flask-Mail's has no
    timeout (a hung server would hang the worker for ever) and quits after each message, where
    an error on QUIT after the server accepted the message would make it look unsent.
    """

    def __init__(self) -> None:
        self.host: smtplib.SMTP | None = None

    def __enter__(self) -> "_SmtpConnection":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        config = current_app.config
        timeout = config["MAIL_TIMEOUT"]
        host: smtplib.SMTP
        if config["MAIL_USE_SSL"]:
            host = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        else:
            host = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config["MAIL_USE_TLS"]:
            host.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return host

    def send(self, message: Message) -> None:
        if self.host is None:
            self.host = self._open()
        try:
            self.host.sendmail(
                sanitize_address(message.sender),
                list(sanitize_addresses(message.send_to)),
                message.as_bytes(),
                message.mail_options,
                message.rcpt_options,
            )
        except smtplib.SMTPServerDisconnected:
            self.close()  # the next message opens a new connection
            raise
        except smtplib.SMTPException as error:  # (a subclass of OSError: caught first)
            if _is_permanent(error):
                raise PermanentFailure(str(error)) from error
            raise
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        if self.host is not None:
            host, self.host = self.host, None
            try:
                host.quit()
            except (smtplib.SMTPException, OSError):
                host.close()  # the messages already accepted stay accepted


def _send(message: OutboxMessage, smtp: _SmtpConnection) -> None:
    if current_app.config["MAIL_BACKEND"] == "mailbox":
        return  # The dev mailbox page shows the outbox itself: nothing leaves the machine.
    try:
        mail_message = to_mail_message(message)
        mail_message.date = time.time()
        mail_message.as_bytes()  # built (and kept) here, so a message that cannot be built fails alone
    except Exception as error:  # a message that cannot be built would block the queue for ever
        raise PermanentFailure(f"cannot build the message: {error}") from error
    smtp.send(mail_message)


def to_mail_message(message: OutboxMessage) -> OutboxMail:
    """The message to send, in cop's MIME layout (see cop/mail/mime.py)."""
    host = current_app.config["BASE_URL"].split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    # Headers from cleaned text: no field (a title in the subject, a name in Reply-To) can add a header.
    mail_message = OutboxMail(
        subject=one_line(message.subject),
        recipients=[one_line(message.recipient)],
        body=message.text_body,
        html=message.html_body,
        reply_to=one_line(message.reply_to),
        sender=one_line(current_app.config["MAIL_DEFAULT_SENDER"]),
    )
    # A stable Message-ID lets a receiver recognise a resend of the same outbox row. (Set as
    # msgId: given in extra_headers it was added beside Flask-Mail's own, two Message-IDs.)
    mail_message.msgId = f"<outbox-{message.id}@{host}>"
    for attachment in message.attachments or []:
        data = attachment["data"]
        # Binary files (a PNG) are kept as base64 text in the JSON column.
        if attachment.get("encoding") == "base64":
            data = base64.b64decode(data)
        mail_message.attach(one_line(attachment["filename"]), one_line(attachment["content_type"]), data)
    if mail_message.has_bad_headers():  # cannot happen after one_line(); refuse rather than send one
        raise ValueError("a mail header contains a line break")
    return mail_message


def unsent_messages(community_id: int, limit: int = 500) -> list[OutboxMessage]:
    """A community's failed and waiting mail, failures first, for its organisers to see and resend."""
    return list(
        db.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.community_id == community_id, OutboxMessage.state.in_(("failed", "pending")))
            .order_by(OutboxMessage.state, OutboxMessage.id.desc())
            .limit(limit)
        ).scalars()
    )


def resend(message: OutboxMessage) -> None:
    """Put a failed message back in the queue, to be tried at once."""
    message.state = "pending"
    message.tries = 0
    message.next_try_at = utcnow()
    message.last_error = None


def run_worker(poll_seconds: float = 2.0, stop_after: float | None = None) -> None:
    """Deliver the outbox until stopped (or for `stop_after` seconds)."""
    started = time.monotonic()
    while stop_after is None or time.monotonic() - started < stop_after:
        report = deliver_due()
        if report.sent or report.retrying or report.failed:
            current_app.logger.info(
                "outbox: sent=%d retrying=%d failed=%d", report.sent, report.retrying, report.failed
            )
        else:
            time.sleep(poll_seconds)
