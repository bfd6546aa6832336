"""Organisers manage a community's people in the browser."""
import pytest
from sqlalchemy import func, select

from cop.communities.models import Membership
from cop.extensions import db
from cop.people.models import Person
from tests import factories
from tests.conftest import sign_in


@pytest.fixture
def organiser_client(client):
    group = factories.community(slug="big-room")
    acute = factories.organisation(name="Big Hospital", sector="acute", place="Mid Essex")
    charity = factories.organisation(name="Food Bank", sector="vcse", place="Thurrock")
    factories.member(group, "member", factories.person(name="Nina Nurse", org=acute, profession="nursing"))
    factories.member(group, "guest", factories.person(name="Sam Social", org=charity, profession="social_work"))
    factories.member(group, "member", factories.person(name="Dora Doctor", org=acute, profession="medicine"))
    organiser = factories.member(group, "organiser",
                                 factories.person(name="Olga Organiser", org=charity, profession="management"))
    db.session.commit()
    sign_in(client, factories.account(organiser))
    client.community = group
    return client


def _names(response) -> list[str]:
    table = response.text.split("<tbody", 1)[1]  # the header shows the signed-in organiser's name too
    return [name for name in ("Nina Nurse", "Sam Social", "Dora Doctor", "Olga Organiser") if name in table]


def test_list_search_and_filter(organiser_client):
    everyone = organiser_client.get("/communities/big-room/people")
    assert everyone.status_code == 200 and "4 people" in everyone.text
    assert _names(organiser_client.get("/communities/big-room/people?q=nurse")) == ["Nina Nurse"]
    assert _names(organiser_client.get("/communities/big-room/people?sector=acute")) == ["Nina Nurse", "Dora Doctor"]
    assert _names(organiser_client.get("/communities/big-room/people?profession=social_work")) == ["Sam Social"]
    in_thurrock = organiser_client.get("/communities/big-room/people?place=Thurrock")
    assert _names(in_thurrock) == ["Sam Social", "Olga Organiser"]
    assert _names(organiser_client.get("/communities/big-room/people?role=guest")) == ["Sam Social"]
    assert _names(organiser_client.get("/communities/big-room/people?q=food+bank")) == ["Sam Social", "Olga Organiser"]
    # A filter value that is not one of the choices is ignored, not an error.
    assert organiser_client.get("/communities/big-room/people?sector=spaceship").status_code == 200


def test_add_a_person_with_a_new_organisation(organiser_client):
    response = organiser_client.post("/communities/big-room/people/new", data={
        "name": "Priya Pharmacist", "email": "Priya@Example.org", "organisation_name": "New PCN",
        "sector": "primary_care", "place": "Thurrock", "profession": "pharmacy", "role": "member", "invite_quota": "5",
    })
    assert response.status_code == 302
    priya = db.session.execute(select(Person).where(Person.email == "priya@example.org")).scalar_one()
    assert factories.record(organiser_client.community, priya).organisation.sector == "primary_care"
    assert db.session.execute(select(Membership.invite_quota).where(Membership.person_id == priya.id)).scalar_one() == 5


def test_bad_input_shows_field_errors_and_saves_nothing(organiser_client):
    before = db.session.execute(select(func.count()).select_from(Person)).scalar_one()
    response = organiser_client.post("/communities/big-room/people/new", data={
        "name": "", "email": "not-an-email", "organisation_name": "Unknown Org", "sector": "",
        "profession": "astronaut", "role": "member", "invite_quota": "-1",
    })
    assert response.status_code == 400
    for message in ("Enter the person&#39;s full name", "Enter an email address in the correct format",
                    "Not a valid choice", "Enter a number from 0 to 500"):
        assert message in response.text
    assert 'class="nhsuk-error-summary"' in response.text
    assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == before


def test_an_existing_person_is_reused_not_doubled(organiser_client):
    outsider = factories.person(name="Elsewhere Person", email="else@example.org")
    db.session.commit()
    response = organiser_client.post("/communities/big-room/people/new", data={
        "name": "Elsewhere Person", "email": "ELSE@example.org", "profession": "other", "role": "guest",
        "invite_quota": "0",
    })
    assert response.status_code == 302
    same_address = select(func.count()).select_from(Person).where(Person.email == "else@example.org")
    assert db.session.execute(same_address).scalar_one() == 1
    assert db.session.execute(
        select(Membership.role).where(Membership.person_id == outsider.id)).scalar_one() == "guest"


def test_adding_someone_already_in_the_community_is_an_error(organiser_client):
    nina = db.session.execute(select(Person).where(Person.name == "Nina Nurse")).scalar_one()
    response = organiser_client.post("/communities/big-room/people/new", data={
        "name": "Nina", "email": nina.email, "profession": "nursing", "role": "member", "invite_quota": "0",
    })
    assert response.status_code == 400 and "Someone in this community already has that email address" in response.text


def test_edit_and_remove(organiser_client):
    nina = db.session.execute(select(Person).where(Person.name == "Nina Nurse")).scalar_one()
    page = organiser_client.get(f"/communities/big-room/people/{nina.id}/edit")
    assert page.status_code == 200 and 'value="Big Hospital"' in page.text
    response = organiser_client.post(f"/communities/big-room/people/{nina.id}/edit", data={
        "name": "Nina Nurse-Lead", "email": nina.email, "organisation_name": "Big Hospital", "profession": "nursing",
        "role": "facilitator", "invite_quota": "0", "access_needs": "hearing loop",
    })
    assert response.status_code == 302
    db.session.refresh(nina)
    record = factories.record(organiser_client.community, nina)
    # The community's record changes; the name is the person's own, so the form cannot change it.
    assert nina.name == "Nina Nurse" and record.access_needs == "hearing loop" and record.role == "facilitator"
    assert organiser_client.post(f"/communities/big-room/people/{nina.id}/remove").status_code == 302
    assert db.session.execute(select(Membership).where(Membership.person_id == nina.id)).first() is None
    assert db.session.get(Person, nina.id) is not None


def test_an_organiser_cannot_change_a_members_name_or_address(organiser_client):
    nina = db.session.execute(select(Person).where(Person.name == "Nina Nurse")).scalar_one()
    sam = db.session.execute(select(Person).where(Person.name == "Sam Social")).scalar_one()
    page = organiser_client.get(f"/communities/big-room/people/{nina.id}/edit")
    assert 'name="email"' not in page.text and 'name="name"' not in page.text and "Your account" in page.text
    response = organiser_client.post(f"/communities/big-room/people/{nina.id}/edit", data={
        "name": "Nina", "email": sam.email, "profession": "nursing", "role": "member", "invite_quota": "0",
    })
    assert response.status_code == 302
    db.session.refresh(nina)
    assert (nina.name, nina.email) == ("Nina Nurse", "person" + nina.email.removeprefix("person"))
    assert nina.email != sam.email


def test_admin_creates_a_community_and_becomes_its_organiser(client):
    admin = factories.account(factories.person(), is_admin=True)
    sign_in(client, admin)
    bad = client.post("/communities/new", data={"name": "", "slug": "Not A Slug"})
    assert bad.status_code == 400 and "lower-case letters" in bad.text
    assert client.post("/communities/new", data={"name": "Essex Assembly", "slug": "essex-assembly"}).status_code == 302
    taken = client.post("/communities/new", data={"name": "Again", "slug": "essex-assembly"})
    assert taken.status_code == 400 and "That short name is taken" in taken.text
    assert db.session.execute(select(Membership.role)).scalar_one() == "organiser"


def test_demo_loads_once_and_prints_sign_ins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["cop", "demo"])
    second = runner.invoke(args=["cop", "demo"])
    assert first.exit_code == 0 and first.output == second.output
    assert "organiser: rachel.okoye@mse-icb.nhs.example demo-organiser-2026" in first.output
    assert first.output.count("facilitator: ") == 2
    assert db.session.execute(select(func.count()).select_from(Membership)).scalar_one() == 220
    from cop.people.models import PROFESSIONS, SECTORS, Organisation

    assert set(db.session.execute(select(Organisation.sector)).scalars()) == set(SECTORS)
    assert set(db.session.execute(select(Membership.profession)).scalars()) == set(PROFESSIONS)
    assert len(set(db.session.execute(select(Organisation.place)).scalars())) == 4
