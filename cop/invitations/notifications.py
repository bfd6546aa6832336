"""Telling the people invited that an event has moved or been cancelled, through the outbox; and offering
places freed by a raised capacity to the waitlist. Receivers of the events' signals (cop/events/signals.py)."""
from flask import render_template
from sqlalchemy import select

from cop.events import signals
from cop.events.models import Event
from cop.events.signals import WhenAndWhere, when_and_where
from cop.extensions import db
from cop.invitations import mails as invitation_mails
from cop.invitations.models import Invitation
from cop.invitations.rsvp import promote_from_waitlist
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Person


def invited_to(event: Event) -> list[Invitation]:
    """Everyone still invited who has not said no: they hold the event in their calendars."""
    return list(
        db.session.execute(
            select(Invitation)
            .where(Invitation.event_id == event.id, Invitation.is_live, Invitation.answer != "no")
            .order_by(Invitation.id)
        ).scalars()
    )


@signals.moved.connect
def tell_invited_of_move(event: Event, before: WhenAndWhere, changed_by: Person | None) -> int:
    return _tell_invited(event, "moved", changed_by, before=before)


@signals.cancelled.connect
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


@signals.places_added.connect
def offer_places_to_waitlist(event: Event) -> None:
    """Places freed by a raised capacity go to the waitlist, in order, as offers."""
    promote_from_waitlist(event)
