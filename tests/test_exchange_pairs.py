"""Workforce exchange pairs: across organisations, an interest shared, each introduction mailed once."""
from sqlalchemy import func, select

from cop.communities.members import as_members
from cop.extensions import db
from cop.mail.models import OutboxMessage
from cop.seating import exchange
from cop.seating.models import ExchangePair
from tests import factories
from tests.conftest import sign_in


def _people():
    group = factories.community()
    acute, vcse, icb = (factories.organisation(sector=s) for s in ("acute", "vcse", "icb"))
    people = {
        "ada": factories.member(group, someone=factories.person(name="Ada", org=acute,
                                                                interests="Frailty, housing, carers")),
        "ben": factories.member(group, someone=factories.person(name="Ben", org=acute,
                                                                interests="frailty, housing, carers")),
        "cat": factories.member(group, someone=factories.person(name="Cat", org=vcse, interests="Housing; Carers")),
        "dan": factories.member(group, someone=factories.person(name="Dan", org=icb, interests="frailty")),
        "eve": factories.member(group, someone=factories.person(name="Eve", org=icb, interests="digital inclusion")),
        "fay": factories.member(group, someone=factories.person(name="Fay", org=None, interests="frailty")),
    }
    db.session.commit()
    return group, people


def test_pairs_are_across_organisations_share_an_interest_and_take_the_most_shared_first(app):
    group, people = _people()
    pairs = exchange.suggest_pairs(as_members(group.id, people.values()))
    named = {(p.first.name, p.second.name): p.shared for p in pairs}
    # Ada and Ben share three interests but one organisation; Ada and Cat share two across organisations.
    # Ben then goes with Dan (frailty); Eve shares nothing, Fay has no organisation on record.
    assert named == {("Ada", "Cat"): ["carers", "housing"], ("Ben", "Dan"): ["frailty"]}
    for pair in pairs:
        assert exchange.can_pair(pair.first, pair.second)
    everyone = [p.id for pair in pairs for p in (pair.first, pair.second)]
    assert len(everyone) == len(set(everyone))


def test_the_organiser_introduces_pairs_once_with_one_mail_to_each(app):
    group, people = _people()
    organiser = factories.member(group, "organiser")
    db.session.commit()
    client = app.test_client()
    sign_in(client, factories.account(organiser))
    url = f"/communities/{group.slug}/exchange-pairs"
    page = client.get(url)
    assert page.status_code == 200 and "Suggested pairs (2)" in page.text
    ada_cat = f"{people['ada'].id}-{people['cat'].id}"
    response = client.post(url, data={"pairs": [ada_cat]})
    assert response.status_code == 302
    pair = db.session.execute(select(ExchangePair)).scalar_one()
    assert (pair.first_id, pair.second_id, pair.shared_interests) == (
        people["ada"].id, people["cat"].id, "carers, housing")
    mails = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert [(m.recipient, m.reply_to) for m in mails] == [(people["ada"].email, people["cat"].email),
                                                          (people["cat"].email, people["ada"].email)]
    assert "introduce you to Cat" in mails[0].text_body and "carers, housing" in mails[0].text_body

    # Sent again (a double click, or a stale page): refused, and no second mail.
    again = client.post(url, data={"pairs": [ada_cat]})
    assert again.status_code == 400 and "has been introduced to an exchange partner already" in again.text
    assert db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 2
    page = client.get(url).text
    assert "Suggested pairs (1)" in page and "Introduced (1)" in page


def test_a_pair_that_should_not_be_made_is_refused_and_nothing_is_sent(app):
    group, people = _people()
    organiser = factories.member(group, "organiser")
    outsider = factories.person(org=factories.record(group, people["cat"]).organisation, interests="frailty")
    db.session.commit()
    client = app.test_client()
    sign_in(client, factories.account(organiser))
    url = f"/communities/{group.slug}/exchange-pairs"
    for chosen, words in [
        ([f"{people['ada'].id}-{people['ben'].id}"], "same organisation or share no interest"),
        ([f"{people['ada'].id}-{people['eve'].id}"], "same organisation or share no interest"),
        ([f"{people['dan'].id}-{outsider.id}"], "not two people of this community"),
        ([], "Choose at least one pair"),
        (["ada-and-ben"], "Choose pairs from the list"),
    ]:
        response = client.post(url, data={"pairs": chosen})
        assert response.status_code == 400 and words in response.text, chosen
    assert client.post(url, data={}, headers={}).status_code == 400
    assert db.session.execute(select(func.count()).select_from(ExchangePair)).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 0
