"""The data model's constraints hold in the database itself, on SQLite and PostgreSQL."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cop.communities.models import Membership
from cop.extensions import db
from cop.people.models import Organisation, Person
from tests import factories


def test_email_is_unique_whatever_its_case(app):
    factories.person(email="Sam.Jones@Example.org")
    db.session.commit()
    db.session.add(Person(name="Another Sam", email="sam.jones@example.org"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_email_must_be_stored_lower_case(app):
    db.session.add(Person(name="Loud", email="LOUD@EXAMPLE.ORG"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_unknown_sector_is_refused(app):
    db.session.add(Organisation(name="Mystery", sector="spaceship", place=""))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_unknown_profession_is_refused(app):
    factories.member(factories.community(), someone=factories.person(profession="astronaut"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_a_person_is_a_member_of_a_community_once(app):
    group = factories.community()
    someone = factories.member(group)
    db.session.commit()
    db.session.add(Membership(community=group, person=someone, role="guest"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_unknown_role_is_refused(app):
    group = factories.community()
    factories.member(group, role="overlord")
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_removing_a_community_removes_its_memberships_not_its_people(app):
    group = factories.community()
    someone = factories.member(group)
    db.session.commit()
    db.session.delete(group)
    db.session.commit()
    assert db.session.execute(select(Membership)).first() is None
    assert db.session.get(Person, someone.id) is not None


def test_all_sectors_and_professions_are_accepted(app):
    from cop.people.models import PROFESSIONS, SECTORS

    for sector in SECTORS:
        org = factories.organisation(sector=sector)
        for profession in PROFESSIONS:
            factories.person(org=org, profession=profession)
    db.session.commit()
    assert db.session.query(Person).count() == len(SECTORS) * len(PROFESSIONS)
