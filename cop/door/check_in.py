"""Check-in at the door: the confirmed list, checking people in, and walk-ins.

A check-in can be undone and a confirmed person marked as not coming (a no-show), each written to the
door's record with who did it (`DoorRecord`), so a wrong tap is put right without losing the story."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from cop.communities import members
from cop.communities.models import Membership
from cop.events.models import Attendance, DoorRecord, Event, NoShow
from cop.extensions import db
from cop.forms_common import PER_PAGE, Paging, paging
from cop.invitations.models import Invitation
from cop.people.models import Organisation, Person


@dataclass
class DoorListRow:
    person: Person
    member: Membership | None  # the community's record of them (organisation)
    attendance: Attendance | None
    no_show: bool = False

    @property
    def checked_in(self) -> bool:
        return self.attendance is not None


@dataclass
class DoorPage:
    rows: list[DoorListRow]
    paging: Paging


def door_list(event: Event, search: str = "", page: int = 1, per_page: int = PER_PAGE) -> DoorPage:
    """The people with a confirmed place, by name, found by name or organisation: one page of them
    (thousands at an assembly are too many for a phone; the search finds anyone)."""
    query = (
        select(Person, Membership, Attendance)
        .join(Invitation, Invitation.person_id == Person.id)
        .outerjoin(Membership, (Membership.person_id == Person.id) & (Membership.community_id == event.community_id))
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .outerjoin(Attendance, (Attendance.person_id == Person.id) & (Attendance.event_id == event.id))
        .where(Invitation.event_id == event.id, Invitation.holds_place)
        # The page shows each person's organisation: load it with the join, not a query per row.
        .options(contains_eager(Membership.organisation))
    )
    if search.strip():
        like = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Person.name).like(like), func.lower(Organisation.name).like(like)))
    where = paging(db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one(), page, per_page)
    rows = db.session.execute(
        query.order_by(func.lower(Person.name), Person.id).limit(where.per_page).offset(where.start)).all()
    missing = set(db.session.execute(select(NoShow.person_id).where(
        NoShow.event_id == event.id, NoShow.person_id.in_([person.id for person, _, _ in rows]))).scalars())
    return DoorPage([DoorListRow(person, member, attendance, person.id in missing)
                     for person, member, attendance in rows], where)


@dataclass
class DoorCounts:
    confirmed: int
    checked_in: int
    walk_ins: int


def door_counts(event: Event) -> DoorCounts:
    confirmed = db.session.execute(
        select(func.count()).select_from(Invitation).where(
            Invitation.event_id == event.id, Invitation.holds_place
        )
    ).scalar_one()
    checked_in, walk_ins = db.session.execute(
        select(func.count(Attendance.id), func.count(Attendance.id).filter(Attendance.walk_in.is_(True)))
        .where(Attendance.event_id == event.id)
    ).one()
    return DoorCounts(confirmed=confirmed, checked_in=checked_in, walk_ins=walk_ins)


def checked_in_ids(event: Event) -> list[int]:
    """Everyone who came (checked in or walked in), as person ids: feedback asks them."""
    return list(db.session.execute(
        select(Attendance.person_id).where(Attendance.event_id == event.id).order_by(Attendance.person_id)
    ).scalars())


def walk_ins(event: Event) -> list[DoorListRow]:
    rows = db.session.execute(
        select(Attendance, Membership).where(Attendance.event_id == event.id, Attendance.walk_in.is_(True))
        .outerjoin(Membership, (Membership.person_id == Attendance.person_id)
                   & (Membership.community_id == event.community_id))
        .options(joinedload(Attendance.person), joinedload(Membership.organisation))
        .order_by(Attendance.checked_in_at.desc(), Attendance.id.desc())
    ).all()
    return [DoorListRow(attendance.person, member, attendance) for attendance, member in rows]


def invitation_of(event: Event, person_id: int) -> Invitation | None:
    return db.session.execute(
        select(Invitation).where(
            Invitation.event_id == event.id, Invitation.person_id == person_id, Invitation.is_live
        )
    ).scalar_one_or_none()


def attendance_of(event: Event, person_id: int) -> Attendance | None:
    return db.session.execute(
        select(Attendance).where(Attendance.event_id == event.id, Attendance.person_id == person_id)
    ).scalar_one_or_none()


def _record(event: Event, person: Person, action: str, by: Person | None) -> None:
    db.session.add(DoorRecord(event_id=event.id, person_id=person.id, action=action,
                              by_person_id=by.id if by else None))


def no_show_of(event: Event, person_id: int) -> NoShow | None:
    return db.session.execute(
        select(NoShow).where(NoShow.event_id == event.id, NoShow.person_id == person_id)
    ).scalar_one_or_none()


def check_in(event: Event, person: Person, walk_in: bool = False, by: Person | None = None) -> tuple[Attendance, bool]:
    """Record that the person is here; a second tap (or a second phone) changes nothing.

    Returns the attendance and whether it is new. Two phones checking the same person in
    at once meet at the unique constraint; the loser finds the winner's row. Someone marked as not
    coming who turns up after all is here: the mark goes.
    """
    existing = attendance_of(event, person.id)
    if existing is not None:
        return existing, False
    attendance = Attendance(event=event, person=person, walk_in=walk_in)
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
    except IntegrityError:
        theirs = attendance_of(event, person.id)
        assert theirs is not None  # the row our insert clashed with
        return theirs, False
    mark = no_show_of(event, person.id)
    if mark is not None:
        db.session.delete(mark)
    _record(event, person, "walk_in" if walk_in else "checked_in", by)
    return attendance, True


def undo_check_in(event: Event, person: Person, by: Person | None) -> bool:
    """Take back a check-in made by mistake; the door's record keeps both the check-in and its undoing."""
    attendance = attendance_of(event, person.id)
    if attendance is None:
        return False
    db.session.delete(attendance)
    _record(event, person, "check_in_undone", by)
    db.session.flush()
    return True


def mark_no_show(event: Event, person: Person, by: Person | None) -> bool:
    """Mark someone with a place as not coming. Refused (False) for someone checked in: undo that first."""
    if attendance_of(event, person.id) is not None or no_show_of(event, person.id) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(NoShow(event_id=event.id, person_id=person.id))
    except IntegrityError:
        return False
    _record(event, person, "no_show", by)
    return True


def undo_no_show(event: Event, person: Person, by: Person | None) -> bool:
    mark = no_show_of(event, person.id)
    if mark is None:
        return False
    db.session.delete(mark)
    _record(event, person, "no_show_undone", by)
    db.session.flush()
    return True


def no_show_count(event: Event) -> int:
    return db.session.execute(select(func.count(NoShow.id)).where(NoShow.event_id == event.id)).scalar_one()


def door_history(event: Event, person_id: int | None = None, limit: int = 30) -> list[DoorRecord]:
    """The door's record, latest first: who did what to whom, and when."""
    query = (select(DoorRecord).where(DoorRecord.event_id == event.id)
             .options(joinedload(DoorRecord.person), joinedload(DoorRecord.by)))
    if person_id is not None:
        query = query.where(DoorRecord.person_id == person_id)
    return list(db.session.execute(query.order_by(DoorRecord.id.desc()).limit(limit)).scalars())


@dataclass
class WalkIn:
    name: str
    email: str
    organisation: str = ""


def add_walk_in(event: Event, arrival: WalkIn, by: Person | None = None) -> tuple[Attendance, Person]:
    """Someone not on the list arrives: they join the community as a guest (this community's record
    only; a person cop already knows keeps their name) and are checked in."""
    member = members.join_community(event.community, arrival.email, arrival.name, role="guest")
    if member.organisation is None and arrival.organisation.strip():
        member.organisation = members.organisation_named(arrival.organisation, "other", "")
    attendance, _ = check_in(event, member.person, walk_in=True, by=by)
    return attendance, member.person


@dataclass
class CheckedIn:
    """One person checked in at one event, as plain values for reports."""

    event_id: int
    person_id: int
    profession: str
    organisation_id: int | None
    organisation: str
    sector: str
    place: str


def checked_in_at(event_ids: list[int]) -> list[CheckedIn]:
    """Everyone checked in at these events (walk-ins too), with their organisation: one query."""
    if not event_ids:
        return []
    rows = db.session.execute(
        select(Attendance.event_id, Attendance.person_id, Membership.profession, Organisation.id, Organisation.name,
               Organisation.sector, Organisation.place)
        .join(Event, Event.id == Attendance.event_id)
        .outerjoin(Membership, (Membership.person_id == Attendance.person_id)
                   & (Membership.community_id == Event.community_id))
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(Attendance.event_id.in_(event_ids))
        .order_by(Attendance.event_id, Attendance.person_id)
    ).all()
    return [CheckedIn(event_id, person_id, profession or "", organisation_id, name or "", sector or "", place or "")
            for event_id, person_id, profession, organisation_id, name, sector, place in rows]
