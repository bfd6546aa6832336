"""Date polls (issue 22): propose dates, answer from a personal link, the best dates first, choose them."""
import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from cop.events.models import Event, Series, SeriesMember
from cop.extensions import db
from cop.mail.models import OutboxMessage
from cop.polls import polling
from cop.polls.models import DatePoll, PollParticipant
from cop.tokens import hash_token
from tests import factories
from tests.conftest import sign_in

LINK = re.compile(r"http://cop\.test/polls/([A-Za-z0-9_-]+)")


def _links() -> dict[str, str]:
    """recipient -> the token in their latest poll mail."""
    found = {}
    for message in db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars():
        match = LINK.search(message.text_body)
        if match:
            found[message.recipient] = match.group(1)
    return found


@pytest.fixture
def a_set(app):
    """A Welsh-and-beyond action learning set with a facilitator who signs in."""
    group = factories.community(slug="big-room", name="Cwm Taf Morgannwg")
    facilitator = factories.member(group, "facilitator", factories.person(name="Siân Llewelyn-Jones"))
    people = [factories.member(group, someone=factories.person(name=name)) for name in
              ("Dafydd ap Gwilym", "Zoë Øvergaard", "Nguyễn Thị Lan", "محمد الأحمد", "Ioan Rhys")]
    series = factories.series(group, title="Set 1: Arwain ar draws ffiniau", count=1, format="action_learning_set")
    for someone in people:
        series.members.append(SeriesMember(person=someone))
    db.session.commit()
    return {"group": group, "facilitator": facilitator, "people": people, "series": series,
            "account": factories.account(facilitator)}


def _propose(client, a_set, **extra):
    data = {"title": "Dyddiadau’r sesiynau nesaf", "for_set": str(a_set["series"].id), "format": "action_learning_set",
            "day_1": "2027-03-10", "starts_1": "09:30", "ends_1": "12:30",
            "day_2": "2027-03-31", "starts_2": "09:30", "ends_2": "12:30",  # after the clocks go forward
            "day_3": "2027-04-14", "starts_3": "13:30", "ends_3": "16:30", **extra}
    return client.post("/communities/big-room/polls/new", data=data)


def test_a_facilitator_asks_the_set_and_each_member_gets_their_own_link(app, client, a_set):
    sign_in(client, a_set["account"])
    response = _propose(client, a_set)
    assert response.status_code == 302
    poll = db.session.execute(select(DatePoll)).scalar_one()
    assert [o.starts_at for o in poll.options] == [datetime(2027, 3, 10, 9, 30), datetime(2027, 3, 31, 8, 30),
                                                  datetime(2027, 4, 14, 12, 30)]  # London wall clock, stored UTC
    links = _links()
    assert set(links) == {p.email for p in a_set["people"]}
    stored = {p.token_hash for p in poll.participants}
    assert all(hash_token(token) in stored and token not in stored for token in links.values())
    page = client.get(f"/communities/big-room/polls/{poll.id}")
    assert "Zoë Øvergaard" in page.text and "Wednesday 31 March 2027, 9:30am to 12:30pm" in page.text


def test_answers_from_the_link_put_the_best_dates_first(app, client, a_set):
    sign_in(client, a_set["account"])
    _propose(client, a_set)
    poll = db.session.execute(select(DatePoll)).scalar_one()
    first, second, third = poll.options
    links = _links()
    plan = {0: ("no", "if_need_be", "yes"), 1: ("no", "yes", "yes"), 2: ("yes", "if_need_be", "if_need_be")}
    anonymous = app.test_client()  # no account
    for n, answers in plan.items():
        token = links[a_set["people"][n].email]
        assert anonymous.get(f"/polls/{token}").status_code == 200
        response = anonymous.post(f"/polls/{token}", data={
            f"option_{o.id}": a for o, a in zip((first, second, third), answers)})
        assert response.status_code == 302
    # one answer missing: refused with the date named
    token = links[a_set["people"][3].email]
    missing = anonymous.post(f"/polls/{token}", data={f"option_{first.id}": "yes"})
    assert missing.status_code == 400 and "Say whether you can come on" in missing.text
    order = [t.option.id for t in polling.tallies(poll)]
    assert order == [third.id, second.id, first.id]  # 2 yes + 1 if need be; 1 yes + 2; 1 yes + 0
    page = anonymous.get(f"/polls/{links[a_set['people'][0].email]}")
    assert "Zoë Øvergaard" in page.text  # not anonymous: names shown to each other
    others = page.text[page.text.index("How others have answered"):]
    assert others.index("Wednesday 14 April 2027") < others.index("Wednesday 10 March 2027")


def test_an_anonymous_poll_shows_counts_not_names_to_those_asked(app, client, a_set):
    sign_in(client, a_set["account"])
    _propose(client, a_set, anonymous="y")
    poll = db.session.execute(select(DatePoll)).scalar_one()
    links = _links()
    other = app.test_client()
    other.post(f"/polls/{links[a_set['people'][1].email]}", data={f"option_{o.id}": "yes" for o in poll.options})
    page = other.get(f"/polls/{links[a_set['people'][0].email]}")
    assert "Zoë Øvergaard" not in page.text and "How many can come" in page.text
    assert "Zoë Øvergaard" in client.get(f"/communities/big-room/polls/{poll.id}").text  # the facilitator sees


def test_a_withdrawn_or_replaced_link_no_longer_works(app, client, a_set):
    sign_in(client, a_set["account"])
    _propose(client, a_set)
    poll = db.session.execute(select(DatePoll)).scalar_one()
    someone = a_set["people"][0]
    participant = next(p for p in poll.participants if p.person_id == someone.id)
    old = _links()[someone.email]
    assert client.post(f"/communities/big-room/polls/{poll.id}/people/{participant.id}/revoke").status_code == 302
    assert app.test_client().get(f"/polls/{old}").status_code == 404
    assert client.post(f"/communities/big-room/polls/{poll.id}/people/{participant.id}/resend").status_code == 302
    new = _links()[someone.email]
    assert new != old and app.test_client().get(f"/polls/{new}").status_code == 200
    assert app.test_client().get(f"/polls/{old}").status_code == 404


def test_choosing_dates_makes_the_set_s_sessions_and_mails_everyone_a_calendar(app, client, a_set):
    sign_in(client, a_set["account"])
    _propose(client, a_set)
    poll = db.session.execute(select(DatePoll)).scalar_one()
    before = len(a_set["series"].events)
    chosen = [poll.options[1].id, poll.options[2].id]
    assert client.post(f"/communities/big-room/polls/{poll.id}/finalise", data={"options": []}).status_code == 400
    response = client.post(f"/communities/big-room/polls/{poll.id}/finalise", data={"options": chosen})
    assert response.status_code == 302
    db.session.expire_all()
    series = db.session.get(Series, a_set["series"].id)
    added = [e for e in series.events if e.starts_at in (datetime(2027, 3, 31, 8, 30), datetime(2027, 4, 14, 12, 30))]
    assert len(series.events) == before + 2 and len(added) == 2
    assert all(e.status == "published" and not e.is_public for e in added)
    mails = db.session.execute(select(OutboxMessage).where(OutboxMessage.subject.like("Dates chosen%"))).scalars().all()
    assert {m.recipient for m in mails} == {p.email for p in a_set["people"]}
    calendar = mails[0].attachments[0]["data"]
    assert calendar.count("BEGIN:VEVENT") == 2 and "DTSTART:20270331T083000Z" in calendar
    assert "METHOD:PUBLISH" in calendar
    # the poll is closed: a late answer changes nothing, the page shows the dates
    token = next(iter(_links().values()))
    late = app.test_client().post(f"/polls/{token}", data={f"option_{o.id}": "yes" for o in poll.options})
    assert late.status_code == 400 and "The dates have been chosen" in late.text
    assert client.post(f"/communities/big-room/polls/{poll.id}/finalise", data={"options": chosen}).status_code == 400


def test_a_poll_for_a_new_series_asks_the_people_named_and_makes_the_series(app, client, a_set):
    sign_in(client, a_set["account"])
    stranger = factories.person(email="not.here@example.org")
    db.session.commit()
    refused = client.post("/communities/big-room/polls/new", data={
        "title": "Cylch dysgu newydd", "for_set": "", "format": "action_learning_set",
        "people": f"{a_set['people'][0].email}\n{stranger.email}", "day_1": "2027-05-05", "starts_1": "10:00",
        "ends_1": "12:00"})
    assert refused.status_code == 400 and "not.here@example.org is not in Cwm Taf Morgannwg" in refused.text
    half = client.post("/communities/big-room/polls/new", data={
        "title": "Cylch dysgu newydd", "for_set": "", "format": "action_learning_set",
        "people": a_set["people"][0].email, "day_1": "2027-05-05"})
    assert half.status_code == 400 and "a day, a start and an end" in half.text
    made = client.post("/communities/big-room/polls/new", data={
        "title": "Cylch dysgu newydd", "for_set": "", "format": "action_learning_set",
        "people": "\n".join(p.email for p in a_set["people"][:2]), "day_1": "2027-05-05", "starts_1": "10:00",
        "ends_1": "12:00", "day_2": "2027-05-12", "starts_2": "10:00", "ends_2": "12:00"})
    assert made.status_code == 302
    poll = db.session.execute(select(DatePoll)).scalar_one()
    client.post(f"/communities/big-room/polls/{poll.id}/finalise", data={"options": [o.id for o in poll.options]})
    db.session.expire_all()
    series = db.session.execute(select(Series).where(Series.title == "Cylch dysgu newydd")).scalar_one()
    assert len(series.events) == 2 and series.start_time == time(10, 0) and series.starts_on == date(2027, 5, 5)
    roles = {m.person.name: m.role for m in series.members}
    assert roles == {"Dafydd ap Gwilym": "member", "Zoë Øvergaard": "member", "Siân Llewelyn-Jones": "facilitator"}


def test_another_community_cannot_see_or_choose_this_poll(app, a_set):
    poll = polling.open_poll(a_set["group"], "Dates", [polling.ProposedDate(date(2027, 2, 3), time(9), time(12))],
                             [], a_set["facilitator"], a_set["series"])
    other = factories.community(slug="elsewhere")
    intruder = factories.account(factories.member(other, "organiser"))
    attacker = app.test_client()
    sign_in(attacker, intruder)
    assert attacker.get(f"/communities/elsewhere/polls/{poll.id}").status_code == 404
    assert attacker.post(f"/communities/elsewhere/polls/{poll.id}/finalise",
                         data={"options": [poll.options[0].id]}).status_code == 404
    participant = poll.participants[0]
    assert attacker.post(f"/communities/elsewhere/polls/{poll.id}/people/{participant.id}/revoke").status_code == 404
    assert attacker.get(f"/communities/big-room/polls/{poll.id}").status_code == 403
    assert db.session.get(DatePoll, poll.id).state == "open" and participant.revoked_at is None


def test_a_member_s_poll_answers_are_exported_and_their_link_ends_on_erasure(app, client, a_set):
    from cop.privacy import erase_person, export_person

    sign_in(client, a_set["account"])
    _propose(client, a_set)
    poll = db.session.execute(select(DatePoll)).scalar_one()
    someone = a_set["people"][2]
    token = _links()[someone.email]
    app.test_client().post(f"/polls/{token}", data={f"option_{o.id}": "if_need_be" for o in poll.options})
    exported = export_person(someone)["polls"]
    assert exported["asked"][0]["poll"] == "Dyddiadau’r sesiynau nesaf"
    assert [a["answer"] for a in exported["asked"][0]["answers"]] == ["If need be"] * 3
    assert token not in str(exported)
    elsewhere = factories.community()
    db.session.flush()
    assert export_person(someone, community_id=elsewhere.id)["polls"] == {"asked": [], "proposed": []}
    assert export_person(someone, community_id=a_set["group"].id)["polls"]["asked"]
    assert export_person(a_set["facilitator"])["polls"]["proposed"][0]["poll"] == "Dyddiadau’r sesiynau nesaf"
    erase_person(someone)
    assert app.test_client().get(f"/polls/{token}").status_code == 404
    assert sum(t.counts["if_need_be"] for t in polling.tallies(db.session.get(DatePoll, poll.id))) == 3  # counts kept
    assert db.session.execute(select(PollParticipant).where(PollParticipant.person_id == someone.id)).scalar_one()


def test_a_time_that_does_not_exist_in_london_is_refused(app, client, a_set):
    sign_in(client, a_set["account"])
    response = _propose(client, a_set, day_1="2027-03-28", starts_1="01:30", ends_1="03:00")
    assert response.status_code == 400 and "does not exist in the UK" in response.text
    assert db.session.execute(select(DatePoll)).first() is None


def test_the_demo_poll_is_open_for_the_learning_set_and_made_once(app):
    from cop.communities.models import Community
    from cop.demo import COMMUNITY_SLUG
    from cop.events.demo import add_demo_events
    from cop.polls.demo import add_demo_poll

    group = factories.community(slug=COMMUNITY_SLUG)
    for n in range(8):
        factories.member(group, someone=factories.person(org=factories.organisation()))
    for email in ("tom.ashby@essex-acute.nhs.example", "jo.mensah@thurrock-cvs.org.example"):
        factories.member(group, "facilitator", factories.person(email=email))
    db.session.flush()
    add_demo_events(group)
    poll = add_demo_poll(group)
    db.session.commit()
    assert poll.state == "open" and poll.series.format == "action_learning_set" and len(poll.options) == 4
    assert sum(1 for p in poll.participants if p.answered_at) == len(poll.participants) - 2
    again = add_demo_poll(db.session.get(Community, group.id))
    assert again.id == poll.id and db.session.execute(select(DatePoll)).scalars().all() == [again]
    assert db.session.execute(select(Event)).scalars().all()
