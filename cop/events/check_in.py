"""Check-in at the door: the confirmed list, checking people in, and walk-ins."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from cop.communities.models import Membership
from cop.events.models import Attendance, Event
from cop.extensions import db
from cop.invitations.models import Invitation
from cop.people import directory
from cop.people.models import Organisation, Person


@dataclass
class DoorListRow:
    person: Person
    member: Membership | None  # the community's record of them (organisation)
    attendance: Attendance | None

    @property
    def checked_in(self) -> bool:
        return self.attendance is not None


def door_list(event: Event, search: str = "") -> list[DoorListRow]:
    """The people with a confirmed place, by name, found by name or organisation."""
    query = (
        select(Person, Membership, Attendance)
        .join(Invitation, Invitation.person_id == Person.id)
        .outerjoin(Membership, (Membership.person_id == Person.id) & (Membership.community_id == event.community_id))
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .outerjoin(Attendance, (Attendance.person_id == Person.id) & (Attendance.event_id == event.id))
        .where(Invitation.event_id == event.id, Invitation.place == "confirmed", Invitation.revoked_at.is_(None))
        # The page shows each person's organisation: load it with the join, not a query per row.
        .options(contains_eager(Membership.organisation))
    )
    if search.strip():
        like = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Person.name).like(like), func.lower(Organisation.name).like(like)))
    rows = db.session.execute(query.order_by(func.lower(Person.name), Person.id)).all()
    return [DoorListRow(person, member, attendance) for person, member, attendance in rows]


@dataclass
class DoorCounts:
    confirmed: int
    checked_in: int
    walk_ins: int


def door_counts(event: Event) -> DoorCounts:
    confirmed = db.session.execute(
        select(func.count()).select_from(Invitation).where(
            Invitation.event_id == event.id, Invitation.place == "confirmed", Invitation.revoked_at.is_(None)
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
            Invitation.event_id == event.id, Invitation.person_id == person_id, Invitation.revoked_at.is_(None)
        )
    ).scalar_one_or_none()


def attendance_of(event: Event, person_id: int) -> Attendance | None:
    return db.session.execute(
        select(Attendance).where(Attendance.event_id == event.id, Attendance.person_id == person_id)
    ).scalar_one_or_none()


def check_in(event: Event, person: Person, walk_in: bool = False) -> tuple[Attendance, bool]:
    """Record that the person is here; a second tap (or a second phone) changes nothing.

    Returns the attendance and whether it is new. Two phones checking the same person in
    at once meet at the unique constraint; the loser finds the winner's row.
    """
    existing = attendance_of(event, person.id)
    if existing is not None:
        return existing, False
    attendance = Attendance(event=event, person=person, walk_in=walk_in)
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
    except IntegrityError:
        return attendance_of(event, person.id), False
    return attendance, True


@dataclass
class WalkIn:
    name: str
    email: str
    organisation: str = ""


def add_walk_in(event: Event, arrival: WalkIn) -> tuple[Attendance, Person]:
    """Someone not on the list arrives: they join the community as a guest (this community's record
    only; a person cop already knows keeps their name) and are checked in."""
    member = directory.join_community(event.community, arrival.email, arrival.name, role="guest")
    if member.organisation is None and arrival.organisation.strip():
        member.organisation = directory.organisation_named(arrival.organisation, "other", "")
    attendance, _ = check_in(event, member.person, walk_in=True)
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
