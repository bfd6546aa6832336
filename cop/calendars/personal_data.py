"""The calendar subscriptions section of a person's data (see cop/people/personal_data.py)."""
from sqlalchemy import select

from cop.calendars.models import CalendarToken
from cop.clock import utcnow
from cop.extensions import db
from cop.people.models import Person
from cop.people.personal_data import register_section, when


def _export_calendar_tokens(person: Person, community_id: int | None) -> list[dict]:
    if community_id is not None:
        return []
    tokens = db.session.execute(
        select(CalendarToken).where(CalendarToken.person_id == person.id).order_by(CalendarToken.id))
    return [{"created_at": when(t.created_at), "revoked_at": when(t.revoked_at)} for t in tokens.scalars()]


def _erase_calendar_tokens(person: Person) -> int:
    tokens = list(db.session.execute(
        select(CalendarToken).where(CalendarToken.person_id == person.id, CalendarToken.revoked_at.is_(None))
    ).scalars())
    for token in tokens:
        token.revoked_at = utcnow()
    return len(tokens)


register_section("calendar_tokens", _export_calendar_tokens, _erase_calendar_tokens)
