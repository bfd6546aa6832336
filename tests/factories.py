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


def person(name=None, email=None, org=None, profession="nursing", **fields) -> Person:
    number = next(_numbers)
    someone = Person(
        name=name or f"Person {number}", email=(email or f"person{number}@example.org").lower(),
        organisation=org, profession=profession, **fields,
    )
    db.session.add(someone)
    return someone


def community(slug=None, name=None) -> Community:
    number = next(_numbers)
    group = Community(slug=slug or f"community-{number}", name=name or f"Community {number}")
    db.session.add(group)
    return group


def member(group: Community, role="member", someone: Person | None = None) -> Person:
    someone = someone or person()
    db.session.add(Membership(community=group, person=someone, role=role))
    return someone


def account(someone: Person, password: str | None = None, is_admin=False) -> Account:
    acct = Account(person=someone, is_admin=is_admin)
    if password:
        set_password(acct, password)
    db.session.add(acct)
    db.session.commit()
    return acct
