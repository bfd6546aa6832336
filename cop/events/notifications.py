"""Telling the people invited that an event has moved or been cancelled, through the outbox."""
from dataclasses import dataclass

from flask import render_template
from sqlalchemy import select

from cop.events.models import ATTENDANCE_MODES, Event
from cop.events.times import format_when
from cop.extensions import db
from cop.invitations import mails as invitation_mails
from cop.invitations.models import Invitation
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Person


@dataclass
class WhenAndWhere:
    when: str
    where: str
    title: str = ""


def where_text(event: Event) -> str:
    parts = []
    if event.venue is not None and event.attendance_mode != "online":
        parts.append(", ".join(p for p in (event.venue.name, " ".join(event.venue.address.split())) if p))
    if event.attendance_mode != "in_person":
        parts.append("Online" if event.attendance_mode == "online" else "Online for those who join online")
    return "; ".join(parts) or ATTENDANCE_MODES[event.attendance_mode]


def when_and_where(event: Event) -> WhenAndWhere:
    return WhenAndWhere(when=format_when(event.starts_at, event.ends_at), where=where_text(event), title=event.title)


def invited_to(event: Event) -> list[Invitation]:
    """Everyone still invited who has not said no: they hold the event in their calendars."""
    return list(
        db.session.execute(
            select(Invitation)
            .where(Invitation.event_id == event.id, Invitation.revoked_at.is_(None), Invitation.answer != "no")
            .order_by(Invitation.id)
        ).scalars()
    )


def tell_invited_of_move(event: Event, before: WhenAndWhere, changed_by: Person | None) -> int:
    return _tell_invited(event, "moved", changed_by, before=before)


def tell_invited_of_cancellation(event: Event, changed_by: Person | None, note: str = "") -> int:
    return _tell_invited(event, "cancelled", changed_by, note=note)


def calendar_attachment(event: Event, method: str, invitation: Invitation) -> dict:
    """The updated (REQUEST, higher SEQUENCE) or cancelling (CANCEL) .ics, METHOD in MIME and body alike,
    with the invitation's own reply address as ORGANIZER (see invitations/mails.py)."""
    return invitation_mails.calendar_attachment(invitation, method)


def _tell_invited(event: Event, change: str, changed_by: Person | None, **context) -> int:
    now = when_and_where(event)
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    subject = f"{'Cancelled' if change == 'cancelled' else 'Changed'}: {event.title}, {now.when}"
    invitations = invited_to(event)
    for invitation in invitations:
        values = dict(
            event=event, person=invitation.person, change=change, now=now,
            event_url=external_url("events.show", event_id=event.id), **context,
        )
        queue_mail(
            recipient=invitation.person.email,
            subject=subject,
            text_body=render_template("events/mail/change.txt", **values),
            html_body=render_template("events/mail/change.html", **values),
            reply_to=changed_by.email if changed_by else None,
            attachments=[calendar_attachment(event, method, invitation)],
            community_id=event.community_id,
        )
    return len(invitations)
