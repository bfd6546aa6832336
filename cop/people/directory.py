"""People in a community: finding, adding, editing and removing them."""
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from cop.communities.models import Community, Membership
from cop.extensions import db
from cop.people.models import Organisation, Person


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
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(Membership.community_id == community.id)
    )
    if wanted.search:
        like = f"%{wanted.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Person.name).like(like),
                Person.email.like(like),
                func.lower(Person.role_title).like(like),
                func.lower(Organisation.name).like(like),
            )
        )
    if wanted.organisation_id:
        query = query.where(Person.organisation_id == wanted.organisation_id)
    if wanted.sector:
        query = query.where(Organisation.sector == wanted.sector)
    if wanted.profession:
        query = query.where(Person.profession == wanted.profession)
    if wanted.place:
        query = query.where(Organisation.place == wanted.place)
    if wanted.role:
        query = query.where(Membership.role == wanted.role)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        # The list and the CSV export show each person's organisation: load it with the join, not per row.
        query.options(contains_eager(Person.organisation))
        .order_by(func.lower(Person.name), Person.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return PeoplePage(rows=[(p, m) for p, m in rows], total=total, page=page, per_page=per_page)


def organisations_in(community: Community) -> list[Organisation]:
    return list(
        db.session.execute(
            select(Organisation)
            .join(Person, Person.organisation_id == Organisation.id)
            .join(Membership, Membership.person_id == Person.id)
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
    return db.session.execute(select(Person).where(Person.email == email.strip().lower())).scalar_one_or_none()


def membership_of(community: Community, person_id: int) -> Membership | None:
    return db.session.execute(
        select(Membership).where(Membership.community_id == community.id, Membership.person_id == person_id)
    ).scalar_one_or_none()


@dataclass
class MemberDetails:
    """A person's details as an organiser enters them, with their role in the community."""

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
    role: str = "member"
    invite_quota: int = 0
    line_manager_email: str = ""


def apply_details(person: Person, details: MemberDetails) -> None:
    person.name = details.name.strip()
    person.email = details.email.strip().lower()
    person.profession = details.profession or "other"
    person.role_title = details.role_title.strip()
    person.interests = details.interests.strip()
    person.dietary_needs = details.dietary_needs.strip()
    person.access_needs = details.access_needs.strip()
    person.organisation = (
        organisation_named(details.organisation, details.sector, details.place) if details.organisation.strip() else None
    )
    manager = details.line_manager_email.strip()
    person.line_manager = find_person_by_email(manager) if manager else None


def line_manager_emails(people: list[Person]) -> dict[int, str]:
    """person id -> e-mail address, for the line managers of these people (one query)."""
    ids = {p.line_manager_id for p in people if p.line_manager_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Person.id, Person.email).where(Person.id.in_(ids))).all())


def add_member(community: Community, details: MemberDetails) -> Membership:
    """Add someone to the community; a person already known by e-mail is reused, never doubled."""
    person = find_person_by_email(details.email)
    if person is None:
        person = Person(name=details.name, email=details.email.strip().lower())
        db.session.add(person)
    apply_details(person, details)
    membership = membership_of(community, person.id) if person.id else None
    if membership is None:
        membership = Membership(community=community, person=person)
        db.session.add(membership)
    membership.role = details.role
    membership.invite_quota = details.invite_quota
    db.session.commit()
    return membership


def update_member(membership: Membership, details: MemberDetails) -> None:
    apply_details(membership.person, details)
    membership.role = details.role
    membership.invite_quota = details.invite_quota
    db.session.commit()


def remove_member(membership: Membership) -> None:
    """Take the person out of this community; their record stays for their other communities."""
    db.session.delete(membership)
    db.session.commit()
