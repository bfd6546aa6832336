"""Queue mail with the change that causes it; deliver it later, retrying, never dropping it.

A message is marked sent only after the SMTP server accepted it. Several workers may
run at once: each claims one message at a time with FOR UPDATE SKIP LOCKED (on
PostgreSQL), holding the row lock while it talks to the server, so no two workers
send the same message and a worker killed mid-send leaves its message pending.
"""
import smtplib
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import select

from cop.extensions import db, mail
from cop.mail.models import OutboxMessage
from cop.people.models import utcnow

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


def deliver_due(limit: int = 100, now: datetime | None = None) -> DeliveryReport:
    """Deliver up to `limit` due messages, one transaction each."""
    report = DeliveryReport()
    for _ in range(limit):
        message = _claim_next_due(now or utcnow())
        if message is None:
            break
        try:
            _send(message)
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
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


def _schedule_retry(message: OutboxMessage, error: Exception, now: datetime) -> None:
    message.tries += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.tries >= MAX_TRIES:
        message.state = "failed"
    else:
        message.next_try_at = now + retry_delay(message.tries)


def _send(message: OutboxMessage) -> None:
    if current_app.config["MAIL_BACKEND"] == "mailbox":
        return  # The dev mailbox page shows the outbox itself: nothing leaves the machine.
    mail.send(to_mail_message(message))


def to_mail_message(message: OutboxMessage) -> Message:
    host = current_app.config["BASE_URL"].split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    mail_message = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.text_body,
        html=message.html_body,
        reply_to=message.reply_to,
        # A stable Message-ID lets a receiver recognise a resend of the same outbox row.
        extra_headers={"Message-ID": f"<outbox-{message.id}@{host}>"},
    )
    for attachment in message.attachments or []:
        mail_message.attach(attachment["filename"], attachment["content_type"], attachment["data"])
    return mail_message


def resend(message: OutboxMessage) -> None:
    """Put a failed message back in the queue, to be tried at once."""
    message.state = "pending"
    message.tries = 0
    message.next_try_at = utcnow()


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
