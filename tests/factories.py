"""Small builders for test data, so each test says only what matters to it."""
import itertools

from cop.accounts.models import Account
from cop.accounts.signin import set_password
from cop.communities.models import Community, Membership
from cop.extensions import db
from cop.people.models import Organisation, Person

_numbers = itertools.count(1)


def organisation(name=None, sector="acute", place="Thurrock") -> Organisation:
    org = Organisation(name=name or f"Organisation {next(_numbers)}", sector=sector, place=place)
    db.session.add(org)
    return org


# What a test says of a person beyond their identity (organisation, profession, needs, ...) is what
# every community they join here records of them: `member()` writes it onto the membership.
RECORD_FIELDS = ("role_title", "interests", "dietary_needs", "access_needs", "notes", "line_manager")


def person(name=None, email=None, org=None, profession="nursing", **fields) -> Person:
    number = next(_numbers)
    unknown = set(fields) - set(RECORD_FIELDS)
    assert not unknown, f"not a person's or a member record's field: {unknown}"
    someone = Person(name=name or f"Person {number}", email=(email or f"person{number}@example.org").lower())
    someone.test_record = {"organisation": org, "profession": profession, **fields}
    db.session.add(someone)
    return someone


def community(slug=None, name=None) -> Community:
    number = next(_numbers)
    group = Community(slug=slug or f"community-{number}", name=name or f"Community {number}")
    db.session.add(group)
    return group


def member(group: Community, role="member", someone: Person | None = None, **record) -> Person:
    """Make the person a member of the group, recorded with what `person()` was told (or `record`)."""
    someone = someone or person()
    details = {**getattr(someone, "test_record", {}), **record}
    db.session.add(Membership(community=group, person=someone, role=role, **details))
    return someone


def record(group: Community, someone: Person) -> Membership:
    """The group's record of the person."""
    from sqlalchemy import select

    db.session.flush()
    return db.session.execute(select(Membership).where(
        Membership.community_id == group.id, Membership.person_id == someone.id)).scalar_one()


def account(someone: Person, password: str | None = None, is_admin=False) -> Account:
    acct = Account(person=someone, is_admin=is_admin)
    if password:
        set_password(acct, password)
    db.session.add(acct)
    db.session.commit()
    return acct


def venue(group: Community, name=None, capacity=200, tables=None):
    from cop.events.models import Venue

    place = Venue(community=group, name=name or f"Venue {next(_numbers)}", address="1 High Street\nChelmsford",
                  capacity=capacity, access_information="Step-free entrance", table_layout=tables or [10] * 20)
    db.session.add(place)
    return place


def event(group: Community, title=None, starts_at=None, hours=3, status="published", format="big_room", **fields):
    """An event at a fixed UTC time (default: 8 December 2026, 6pm to 9pm in London)."""
    from datetime import datetime, timedelta

    from cop.events.models import Event

    starts_at = starts_at or datetime(2026, 12, 8, 18, 0)
    happening = Event(community=group, format=format, title=title or f"Event {next(_numbers)}",
                      starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), status=status, **fields)
    db.session.add(happening)
    return happening


def series(group: Community, title=None, count=3, venue=None, publish=True, format="big_room"):
    """A monthly series on the second Tuesday, 6pm to 9pm, from December 2026."""
    from datetime import date, time

    from cop.events import scheduling

    return scheduling.create_series(
        group, format, title or f"Series {next(_numbers)}",
        scheduling.SeriesRule(recurrence="monthly", starts_on=date(2026, 12, 1), weekday=1, week_of_month=2,
                              count=count),
        time(18), time(21), scheduling.OccurrenceTemplate(venue=venue, capacity=100), publish=publish,
    )


def invitation(happening, someone: Person, answer="pending", place="none", revoked=False):
    from cop.clock import utcnow
    from cop.invitations.models import Invitation, InvitationLink
    from cop.tokens import new_token

    _token, token_hash = new_token()
    invited = Invitation(event=happening, person=someone, links=[InvitationLink(token_hash=token_hash)],
                         answer=answer, place=place,
                         revoked_at=utcnow() if revoked else None)
    db.session.add(invited)
    return invited
