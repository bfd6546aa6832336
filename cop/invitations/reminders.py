"""Reminders before the event to those with a place, a chase to those who have not answered,
and passing on offered places that were not taken in time.

Run by `flask --app wsgi cop reminders` (every few minutes from cron or a timer). Each
reminder is recorded in InvitationReminder in the same transaction as its mail, and the
record is unique per invitation and kind, so reruns (or two runs at once) never send one twice.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from cop.clock import utcnow
from cop.events.models import Event
from cop.extensions import db
from cop.invitations import mails
from cop.invitations.models import Invitation, InvitationReminder
from cop.invitations.rsvp import answer_deadline, lapse_expired_offers

CHASE = "chase"
# Someone invited less than this long ago is not chased yet.
CHASE_GRACE = timedelta(days=1)


@dataclass
class ReminderReport:
    reminders: int = 0
    chases: int = 0
    offers_passed_on: int = 0


def reminder_days() -> list[int]:
    """REMINDER_DAYS, e.g. "7,1": whole days before the event, largest first."""
    days = {int(part) for part in str(current_app.config["REMINDER_DAYS"]).split(",") if part.strip()}
    return sorted((d for d in days if d > 0), reverse=True)


def reminder_kind(days: int) -> str:
    return f"reminder-{days}d"


def due_reminder(starts_at: datetime, now: datetime, days: list[int]) -> int | None:
    """The nearest reminder due: 12 hours before the event that is the 1-day one, not the 7-day one."""
    due = [d for d in days if starts_at - timedelta(days=d) <= now < starts_at]
    return min(due) if due else None


def _record_and_send(invitation_id: int, kind: str, send) -> bool:
    """Record the reminder and queue its mail in one transaction, committed here: each reminder is the
    scheduled job's unit, so one failure loses no other. False if it was already sent."""
    invitation = db.session.get(Invitation, invitation_id)
    db.session.add(InvitationReminder(invitation_id=invitation_id, kind=kind))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # another run sent it first
        return False
    send(invitation)
    db.session.commit()
    return True


def _not_sent(kind: str):
    return ~exists().where(InvitationReminder.invitation_id == Invitation.id, InvitationReminder.kind == kind)


def send_reminders(now: datetime) -> int:
    days = reminder_days()
    if not days:
        return 0
    rows = db.session.execute(
        select(Invitation.id, Event.starts_at)
        .join(Event, Event.id == Invitation.event_id)
        .where(
            Invitation.holds_place,
            Event.status == "published",
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(days=max(days)),
        )
        .order_by(Invitation.id)
    ).all()
    sent = 0
    for invitation_id, starts_at in rows:
        days_before = due_reminder(starts_at, now, days)
        already = db.session.execute(
            select(InvitationReminder.kind).where(InvitationReminder.invitation_id == invitation_id)
        ).scalars().all()
        # A nearer reminder already sent makes a farther one pointless.
        if days_before is None or any(reminder_kind(d) in already for d in days if d <= days_before):
            continue
        if _record_and_send(invitation_id, reminder_kind(days_before),
                            lambda invitation: mails.mail_reminder(invitation, days_before)):
            sent += 1
    return sent


def send_chases(now: datetime) -> int:
    window = timedelta(days=current_app.config["CHASE_DAYS_BEFORE_DEADLINE"])
    rows = db.session.execute(
        select(Invitation.id, Event)
        .join(Event, Event.id == Invitation.event_id)
        .where(
            Invitation.answer == "pending",
            Invitation.is_live,
            Invitation.created_at <= now - CHASE_GRACE,
            Event.status == "published",
            Event.starts_at > now,
            _not_sent(CHASE),
        )
        .order_by(Invitation.id)
    ).all()
    sent = 0
    for invitation_id, event in rows:
        deadline = answer_deadline(event)
        if deadline - window <= now < deadline and _record_and_send(invitation_id, CHASE, mails.mail_chase):
            sent += 1
    return sent


def send_due_reminders(now: datetime | None = None) -> ReminderReport:
    now = now or utcnow()
    report = ReminderReport()
    report.offers_passed_on = lapse_expired_offers(now)
    report.reminders = send_reminders(now)
    report.chases = send_chases(now)
    return report
