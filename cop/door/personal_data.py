"""The door's section of a person's data export and erasure (see cop/people/personal_data.py).

Export: the door's record about the person (checked in, walked in, check-in undone, marked as not coming
and its undoing: when, at which event, and who at the door did it), whether they are marked as not coming,
and what they themself did at the door (the action and when: not whom, which is the other person's data).

Erasure keeps every row: the door's record and the no-show marks are how many came and who put a wrong
tap right, as attendance is (the check-ins section). They hold nothing but ids, an action and a time, so
once the person row is "Erased person" nothing in them says who the person was; a record *made by* the
erased person keeps its `by_person_id`, which now shows "Erased person" too.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cop.events.models import DoorRecord, Event, NoShow
from cop.events.personal_data import of_community
from cop.extensions import db
from cop.people.models import Person
from cop.people.personal_data import register_section, when


def _records(*where) -> list[tuple[DoorRecord, str]]:
    """The door's records and their events' titles, oldest first."""
    return list(db.session.execute(select(DoorRecord, Event.title).join(Event, Event.id == DoorRecord.event_id)
                                   .where(*where).options(selectinload(DoorRecord.by))
                                   .order_by(DoorRecord.at, DoorRecord.id)).tuples())


def export_door(person: Person, community_id: int | None = None) -> dict:
    in_community = of_community(DoorRecord.event_id, community_id)
    not_coming = db.session.execute(
        select(Event.title).join(NoShow, NoShow.event_id == Event.id)
        .where(NoShow.person_id == person.id, of_community(NoShow.event_id, community_id)).order_by(NoShow.id)
    ).scalars().all()
    return {
        "records": [{"event": title, "action": r.label, "at": when(r.at), "by": r.by.name if r.by else None}
                    for r, title in _records(DoorRecord.person_id == person.id, in_community)],
        "marked_not_coming": list(not_coming),
        "done_at_the_door": [{"event": title, "action": r.label, "at": when(r.at)}
                             for r, title in _records(DoorRecord.by_person_id == person.id, in_community)],
    }


def erase_door(person: Person) -> int:
    return 0  # kept: the rows hold ids, an action and a time; the person row becomes "Erased person"


register_section("door", export=export_door, erase=erase_door)
