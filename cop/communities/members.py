"""People in a community: finding, adding, editing and removing them."""
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from cop.communities.models import Community, Membership
from cop.extensions import db
from cop.people.models import PROFESSIONS, Organisation, Person, erased_clause


@dataclass
class PeopleFilter:
    """What the organiser typed or chose on the people page; blank means any."""

    search: str = ""
    organisation_id: int | None = None
    sector: str = ""
    profession: str = ""
    place: str = ""
    role: str = ""


@dataclass
class PeoplePage:
    rows: list[tuple[Person, Membership]] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 50

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def find_members(community: Community, wanted: PeopleFilter, page: int = 1, per_page: int = 50) -> PeoplePage:
    query = (
        select(Person, Membership)
        .join(Membership, Membership.person_id == Person.id)
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.community_id == community.id)
    )
    if wanted.search:
        like = f"%{wanted.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Person.name).like(like),
                Person.email.like(like),
                func.lower(Membership.role_title).like(like),
                func.lower(Organisation.name).like(like),
            )
        )
    if wanted.organisation_id:
        query = query.where(Membership.organisation_id == wanted.organisation_id)
    if wanted.sector:
        query = query.where(Organisation.sector == wanted.sector)
    if wanted.profession:
        query = query.where(Membership.profession == wanted.profession)
    if wanted.place:
        query = query.where(Organisation.place == wanted.place)
    if wanted.role:
        query = query.where(Membership.role == wanted.role)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        # The list and the CSV export show each person's organisation: load it with the join, not per row.
        query.options(contains_eager(Membership.organisation))
        .order_by(func.lower(Person.name), Person.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return PeoplePage(rows=[(p, m) for p, m in rows], total=total, page=page, per_page=per_page)


def organisations_in(community: Community) -> list[Organisation]:
    return list(
        db.session.execute(
            select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.community_id == community.id)
            .distinct()
            .order_by(Organisation.name)
        ).scalars()
    )


def all_organisations() -> list[Organisation]:
    return list(db.session.execute(select(Organisation).order_by(Organisation.name)).scalars())


def places_in(community: Community) -> list[str]:
    return sorted({o.place for o in organisations_in(community) if o.place})


def find_organisation(name: str) -> Organisation | None:
    return db.session.execute(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())
    ).scalar_one_or_none()


def organisation_named(name: str, sector: str, place: str) -> Organisation:
    """The organisation of that name (any case), created with the sector and place if new."""
    organisation = find_organisation(name)
    if organisation is None:
        organisation = Organisation(name=name.strip(), sector=sector or "other", place=place.strip())
        db.session.add(organisation)
    return organisation


def find_person_by_email(email: str) -> Person | None:
    """The person with this address, anywhere in cop. Only for finding whom to attach a record to:
    what a community may show or say about an address depends on its own members alone."""
    return db.session.execute(select(Person).where(Person.email == email.strip().lower())).scalar_one_or_none()


def membership_of(community: Community, person_id: int) -> Membership | None:
    return db.session.execute(
        select(Membership).where(Membership.community_id == community.id, Membership.person_id == person_id)
    ).scalar_one_or_none()


def member_by_email(community: Community, email: str) -> Membership | None:
    """This community's member with that address, if it has one."""
    return db.session.execute(
        select(Membership).join(Person, Person.id == Membership.person_id)
        .where(Membership.community_id == community.id, Person.email == email.strip().lower())
    ).scalar_one_or_none()


def member_records(community_id: int, person_ids) -> dict[int, Membership]:
    """person id -> this community's record of them (organisation loaded), for the ids that are members."""
    ids = set(person_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Membership).where(Membership.community_id == community_id, Membership.person_id.in_(ids))
        .options(selectinload(Membership.person), selectinload(Membership.organisation))
    ).scalars()
    return {m.person_id: m for m in rows}


@dataclass(frozen=True)
class Member:
    """A person as one community knows them: their identity (`person`) and that community's record
    (`record`; None if they are not, or no longer, a member). Read-only: features that seat, pair or
    count people read these, so a community's pages can only ever show its own record."""

    person: Person
    record: Membership | None

    @property
    def id(self) -> int:
        return self.person.id

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def email(self) -> str:
        return self.person.email

    @property
    def organisation(self) -> Organisation | None:
        return self.record.organisation if self.record else None

    @property
    def organisation_id(self) -> int | None:
        return self.record.organisation_id if self.record else None

    @property
    def profession(self) -> str:
        return self.record.profession if self.record else "other"

    @property
    def profession_label(self) -> str:
        return PROFESSIONS[self.profession]

    @property
    def role_title(self) -> str:
        return self.record.role_title if self.record else ""

    @property
    def interests(self) -> str:
        return self.record.interests if self.record else ""

    @property
    def dietary_needs(self) -> str:
        return self.record.dietary_needs if self.record else ""

    @property
    def access_needs(self) -> str:
        return self.record.access_needs if self.record else ""

    @property
    def line_manager_id(self) -> int | None:
        return self.record.line_manager_id if self.record else None


def as_members(community_id: int, people) -> list[Member]:
    """These people as the community knows them, in the same order (one query for the records)."""
    people = list(people)
    records = member_records(community_id, [p.id for p in people])
    return [Member(person, records.get(person.id)) for person in people]


def members_by_id(community_id: int, person_ids) -> dict[int, Member]:
    """person id -> Member, for these ids (people who are not members come with no record)."""
    ids = set(person_ids)
    if not ids:
        return {}
    people = db.session.execute(select(Person).where(Person.id.in_(ids))).scalars()
    return {m.id: m for m in as_members(community_id, people)}


@dataclass
class MemberDetails:
    """What an organiser enters about someone: their name and address (used only when the address is
    new to cop: identity belongs to the person), this community's record of them, and their role."""

    name: str
    email: str
    organisation: str = ""
    sector: str = ""
    place: str = ""
    profession: str = "other"
    role_title: str = ""
    interests: str = ""
    dietary_needs: str = ""
    access_needs: str = ""
    notes: str = ""
    role: str = "member"
    invite_quota: int = 0
    line_manager_email: str = ""


def apply_details(membership: Membership, details: MemberDetails) -> None:
    """Write the community's record; the person's name and address are never touched here."""
    membership.profession = details.profession or "other"
    membership.role_title = details.role_title.strip()
    membership.interests = details.interests.strip()
    membership.dietary_needs = details.dietary_needs.strip()
    membership.access_needs = details.access_needs.strip()
    membership.notes = details.notes.strip()
    membership.organisation = (
        organisation_named(details.organisation, details.sector, details.place)
        if details.organisation.strip() else None
    )
    manager = details.line_manager_email.strip()
    membership.line_manager = _manager_in(membership.community, manager) if manager else None


def _manager_in(community: Community, email: str) -> Person | None:
    manager = member_by_email(community, email)
    return manager.person if manager else None


def line_manager_emails(records: list[Membership]) -> dict[int, str]:
    """person id -> e-mail address, for the line managers on these records (one query)."""
    ids = {m.line_manager_id for m in records if m.line_manager_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Person.id, Person.email).where(Person.id.in_(ids))).tuples().all())


def join_community(community: Community, email: str, name: str, role: str = "member") -> Membership:
    """This community's record of the person at `email`, made if missing; the person is created
    (with `name`) only when cop has never seen the address. Nothing of an existing person changes."""
    person = find_person_by_email(email)
    if person is None:
        person = Person(name=name.strip(), email=email.strip().lower())
        db.session.add(person)
        db.session.flush()
    membership = membership_of(community, person.id)
    if membership is None:
        membership = Membership(community=community, person=person, role=role)
        db.session.add(membership)
        db.session.flush()
    return membership


def add_member(community: Community, details: MemberDetails) -> Membership:
    """Add someone to the community; a person already known by e-mail is reused, never doubled."""
    membership = join_community(community, details.email, details.name, details.role)
    apply_details(membership, details)
    membership.role = details.role
    membership.invite_quota = details.invite_quota
    db.session.flush()
    return membership


def update_member(membership: Membership, details: MemberDetails) -> None:
    apply_details(membership, details)
    membership.role = details.role
    membership.invite_quota = details.invite_quota


def remove_member(membership: Membership) -> None:
    """Take the person out of this community, with the community's record of them."""
    db.session.delete(membership)


def first_organisers(community_ids: Iterable[int]) -> dict[int, Person]:
    """Each community's first organiser (the longest-standing, not erased: mail replies go to them),
    in one query for all of them."""
    ids = set(community_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Membership.community_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.community_id.in_(ids), Membership.role == "organiser", ~erased_clause())
        .order_by(Membership.community_id, Membership.joined_at, Membership.id)
    ).all()
    organisers: dict[int, Person] = {}
    for community_id, person in rows:
        organisers.setdefault(community_id, person)
    return organisers
