"""Builders for events and invitations in tests (directly with the models)."""
from datetime import timedelta

from cop.clock import utcnow
from cop.events.models import Event
from cop.extensions import db
from cop.invitations.models import Invitation, InvitationLink
from cop.tokens import new_token


def make_event(group, capacity=None, days_ahead=30, **fields) -> Event:
    starts = fields.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=days_ahead))
    event = Event(
        community=group, format=fields.pop("format", "big_room"), title=fields.pop("title", "Big Room evening"),
        starts_at=starts, ends_at=fields.pop("ends_at", starts + timedelta(hours=3)), capacity=capacity,
        status=fields.pop("status", "published"), **fields,
    )
    db.session.add(event)
    db.session.flush()
    return event


def make_invitation(event, person, **fields) -> tuple[Invitation, str]:
    """An invitation and its personal link's token."""
    invitation = Invitation(event=event, person=person, **fields)
    db.session.add(invitation)
    db.session.flush()
    token, token_hash = new_token()
    db.session.add(InvitationLink(invitation_id=invitation.id, token_hash=token_hash))
    db.session.flush()
    return invitation, token


def invite_crowd(event, count: int, prefix: str = "crowd") -> list[str]:
    """`count` new people invited to the event; their links' tokens, in the same order."""
    from cop.people.models import Person

    tokens = []
    for number in range(count):
        person = Person(name=f"{prefix.title()} Guest {number}", email=f"{prefix}{number}.{event.id}@example.org")
        token, token_hash = new_token()
        db.session.add(Invitation(event=event, person=person, links=[InvitationLink(token_hash=token_hash)]))
        tokens.append(token)
    db.session.commit()
    return tokens
