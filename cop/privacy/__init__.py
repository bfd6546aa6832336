"""Personal data: export everything cop holds about a person, or erase it, and who may do which.

The sections are registered by each feature from its own package (see cop/people/personal_data.py);
importing them here, in this order, makes the export's order and the erasure whole.

Who may do what (tenancy): the whole export and the erasure belong to the person (/my-data) and
to site administrators. A community's organisers export what *their* community holds about a
member (`export_person(person, community_id=...)`: each section gives only that community's
rows, or nothing); they erase only someone whom no one else holds: no account, no other
community (`may_erase`). Otherwise they remove the member, which deletes the community's record.
"""
from sqlalchemy import select

from cop.accounts import personal_data as _accounts  # noqa: F401  (registers its sections)
from cop.accounts.personal_data import account_of
from cop.calendars import personal_data as _calendars  # noqa: F401
from cop.challenges import personal_data as _challenges  # noqa: F401
from cop.clock import utcnow
from cop.communities import personal_data as _communities  # noqa: F401
from cop.communities.models import Membership
from cop.door import personal_data as _door  # noqa: F401
from cop.events import personal_data as _events  # noqa: F401
from cop.extensions import db
from cop.feedback import personal_data as _feedback  # noqa: F401
from cop.invitations import personal_data as _invitations  # noqa: F401
from cop.mail import personal_data as _mail  # noqa: F401
from cop.materials import personal_data as _materials  # noqa: F401
from cop.people.models import Person
from cop.people.personal_data import registered_sections, when
from cop.polls import personal_data as _polls  # noqa: F401
from cop.programme import personal_data as _programme  # noqa: F401
from cop.registration import personal_data as _registration  # noqa: F401
from cop.seating import personal_data as _seating  # noqa: F401

FORMAT = "cop personal data export 1"
# The export's order; erasure runs in it too, "profile" last (the others match on the name and address).
ORDER = ("profile", "account", "sign_in_links", "memberships", "invitations", "check_ins", "door", "seats", "mail",
         "calendar_tokens", "feedback", "registrations", "challenges", "polls", "materials",
         "theme_suggestions")


def _sections():
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(registered_sections(), key=lambda s: rank.get(s.name, len(ORDER)))


def sections() -> list[str]:
    """The names of the export's sections, in order."""
    return [s.name for s in _sections()]


def find_person(email: str) -> Person | None:
    return db.session.execute(select(Person).where(Person.email == email.strip().lower())).scalar_one_or_none()
def may_export_everything(account, person: Person) -> bool:
    """The whole export: the person themself, or a site administrator."""
    return account.is_admin or account.person_id == person.id
def may_erase(account, person: Person, community_id: int) -> bool:
    """Erasure: a site administrator; or an organiser of the community, for a member whom nobody else
    holds: no account (so not a site administrator, and nobody who signs in) and no other community."""
    if account.is_admin:
        return True
    organises = db.session.execute(select(Membership.id).where(
        Membership.community_id == community_id, Membership.person_id == account.person_id,
        Membership.role == "organiser")).first() is not None
    elsewhere = db.session.execute(select(Membership.id).where(
        Membership.person_id == person.id, Membership.community_id != community_id)).first() is not None
    member = db.session.execute(select(Membership.id).where(
        Membership.person_id == person.id, Membership.community_id == community_id)).first() is not None
    return organises and member and not elsewhere and account_of(person) is None
def export_person(person: Person, community_id: int | None = None) -> dict:
    """The person's data as one JSON-ready dict, section by section: all of it, or (with a community id)
    what that community holds about them."""
    exported = {"format": FORMAT, "exported_at": when(utcnow()),
                "scope": "everything" if community_id is None else "community"}
    for section in _sections():
        exported[section.name] = section.export(person, community_id)
    return exported
def erase_person(person: Person) -> dict[str, int]:
    """Erase the person's data in every section, then the person row itself; commits once.

    Returns the number of rows touched per section. Erasing twice changes nothing more.
    """
    sections = _sections()
    report = {s.name: s.erase(person) for s in sections if s.name != "profile"}
    report.update({s.name: s.erase(person) for s in sections if s.name == "profile"})  # last: others match on it
    db.session.commit()
    return report
