"""The check-ins section of a person's data (see cop/people/personal_data.py)."""
from sqlalchemy import select, true
from sqlalchemy.orm import selectinload

from cop.events.models import Attendance, Event
from cop.extensions import db
from cop.people.models import Person
from cop.people.personal_data import register_section, when


def of_community(event_column, community_id: int | None):
    """SQL: the event is the community's (true when no community is asked for)."""
    if community_id is None:
        return true()
    return event_column.in_(select(Event.id).where(Event.community_id == community_id))


def _export_check_ins(person: Person, community_id: int | None) -> list[dict]:
    rows = db.session.execute(select(Attendance).where(
        Attendance.person_id == person.id, of_community(Attendance.event_id, community_id))
        .options(selectinload(Attendance.event)).order_by(Attendance.id))
    return [{"event": a.event.title, "checked_in_at": when(a.checked_in_at), "walk_in": a.walk_in}
            for a in rows.scalars()]


def _erase_check_ins(person: Person) -> int:
    return 0  # kept: who came counts, and the row holds nothing but the fact


register_section("check_ins", _export_check_ins, _erase_check_ins)
