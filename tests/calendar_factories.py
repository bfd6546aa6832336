"""Events, venues and invitations for the calendar tests, given in Europe/London wall-clock time."""
import itertools
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from cop.events.models import Event, Series, Venue
from cop.extensions import db
from cop.invitations.models import Invitation, InvitationLink
from cop.tokens import new_token

LONDON = ZoneInfo("Europe/London")
_numbers = itertools.count(1)


def utc_from_london(local: datetime) -> datetime:
    """Naive UTC, as the database stores it, for a London wall-clock time."""
    return local.replace(tzinfo=LONDON).astimezone(timezone.utc).replace(tzinfo=None)


def venue(group, name="Chelmsford Civic Centre", address="Duke Street\nChelmsford CM1 1JE") -> Venue:
    place = Venue(community=group, name=name, address=address)
    db.session.add(place)
    return place


def series(group, title="Monthly Big Room") -> Series:
    run = Series(community=group, title=title, format="big_room", recurrence="monthly")
    db.session.add(run)
    return run


def event(group, starts: datetime, ends: datetime, title=None, status="published", **fields) -> Event:
    """An event whose starts and ends are London wall-clock times."""
    happening = Event(
        community=group, format=fields.pop("format", "big_room"), title=title or f"Big Room {next(_numbers)}",
        starts_at=utc_from_london(starts), ends_at=utc_from_london(ends), status=status, **fields,
    )
    db.session.add(happening)
    return happening


def invitation(happening, someone, answer="pending", place="none", waitlist_position=None, **fields) -> Invitation:
    _, token_hash = new_token()
    invited = Invitation(
        event=happening, person=someone, links=[InvitationLink(token_hash=token_hash)], answer=answer, place=place,
        waitlist_position=waitlist_position, **fields,
    )
    db.session.add(invited)
    return invited
