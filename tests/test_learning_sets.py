"""Action learning sets from a cohort: sizes 5-8, facilitators spread, line managers apart, series created."""
import io
from datetime import date, time

import pytest
from sqlalchemy import func, select

from cop.communities.members import as_members
from cop.events.models import Event, Series
from cop.extensions import db
from cop.mail.models import OutboxMessage
from cop.seating import sets
from cop.seating.models import SetFormation
from cop.seating.plans import Budget
from tests import factories
from tests.conftest import sign_in

BUDGET = Budget(iterations=3000)
PROFESSIONS = ("nursing", "medicine", "social_work", "allied_health", "management")


def _cohort(members=17, facilitators=3, managers=3):
    """A community whose `members` come from five organisations; the first `managers` manage the next ones."""
    group = factories.community()
    organisations = [factories.organisation(sector=s) for s in ("acute", "vcse", "icb", "primary_care", "hospice")]
    people = [factories.member(group, someone=factories.person(org=organisations[n % 5],
                                                               profession=PROFESSIONS[n % 4]))
              for n in range(members)]
    for n in range(managers):
        for staff in people[managers + 2 * n: managers + 2 * n + 2]:
            factories.record(group, staff).line_manager = people[n]
    leads = [factories.member(group, "facilitator", factories.person(org=organisations[n % 5]))
             for n in range(facilitators)]
    db.session.commit()
    # The cohort as the community knows them (organisation, profession, line manager): what sets reads.
    return group, as_members(group.id, people), as_members(group.id, leads)


def _check(formation, people, leads):
    where = {pid: n for n, members in enumerate(formation.sets) for pid in members}
    assert sorted(where) == sorted(p.id for p in people + leads)
    lead_ids = {p.id for p in leads}
    for members in formation.sets:
        assert 5 <= len([i for i in members if i not in lead_ids]) <= 8
        # Spread: never two facilitators in one set while another set has none.
        assert sum(i in lead_ids for i in members) <= -(-len(leads) // len(formation.sets))
    for person in people:
        if person.line_manager_id:
            assert where[person.id] != where[person.line_manager_id]
    assert sets.problems_of(formation) == []


@pytest.mark.parametrize("members, facilitators", [(5, 1), (12, 2), (17, 3), (23, 0), (31, 4)])
def test_sets_hold_5_to_8_members_spread_facilitators_and_keep_line_managers_apart(app, members, facilitators):
    group, people, leads = _cohort(members, facilitators, managers=0 if members < 10 else 3)
    formation = sets.propose_sets(group, "Cohort", people, leads, None, BUDGET)
    _check(formation, people, leads)
    assert formation.score["hard_violations"] == 0


def test_a_cohort_that_cannot_be_split_is_refused_in_plain_words(app):
    group, people, leads = _cohort(9, 0, managers=0)
    with pytest.raises(sets.SetsRefused, match="cannot be split into sets of 5 to 8 members"):
        sets.propose_sets(group, "Cohort", people, leads, None, BUDGET)
    with pytest.raises(sets.SetsRefused, match="at least 5 members"):
        sets.propose_sets(group, "Cohort", people[:4], leads, None, BUDGET)


def test_the_number_of_sets_is_nearest_the_preferred_size():
    assert sets.number_of_sets(24, 0, preferred=6) == 4
    assert sets.number_of_sets(24, 0, preferred=8) == 3
    assert sets.number_of_sets(10, 2) == 2
    with pytest.raises(sets.SetsRefused):
        sets.number_of_sets(9, 0)


def _client(app, someone):
    client = app.test_client()
    sign_in(client, factories.account(someone))
    return client


def test_the_organiser_previews_adjusts_and_creates_each_set_as_a_series(app):
    group, people, leads = _cohort(12, 2)
    organiser = factories.member(group, "organiser")
    db.session.commit()
    client = _client(app, organiser)
    assert client.get(f"/communities/{group.slug}/learning-sets").status_code == 200
    response = client.post(f"/communities/{group.slug}/learning-sets", data={
        "title": "Leading across boundaries", "source": "filter", "role": "member", "preferred": "6",
        "facilitators": [str(p.id) for p in leads]})
    assert response.status_code == 302
    formation = db.session.execute(select(SetFormation)).scalar_one()
    assert len(formation.sets) == 2 and formation.status == "proposed"
    page = client.get(response.headers["Location"]).text
    assert "2 sets of 6 members." in page and "Every set has a facilitator." in page
    assert "Nobody shares a set with their line manager (6 pairs kept apart)." in page

    # Moving two people unbalances the sets: creating is refused until they are 5 to 8 members again.
    movers = [pid for pid in formation.sets[0] if pid not in {p.id for p in leads}][:2]
    url = f"/communities/{group.slug}/learning-sets/{formation.id}"
    for mover in movers:
        assert client.post(url + "/move", data={"person": mover, "to_set": "2"}).status_code == 302
    db.session.expire_all()
    assert set(movers) <= set(formation.sets[1]) and len(formation.sets[1]) == 9
    schedule = {"first_date": "10/3/2027", "sessions": "4", "recurrence": "monthly", "starts": "09:30", "ends": "12:30"}
    assert client.post(url + "/move", data={"person": movers[0], "to_set": "9"}).status_code == 400
    refused = client.post(url + "/create", data=schedule)
    assert refused.status_code == 400 and "Set 1 has 4 members: a set needs 5 to 8." in refused.text
    assert db.session.execute(select(func.count()).select_from(Series)).scalar_one() == 0
    for mover in movers:
        assert client.post(url + "/move", data={"person": mover, "to_set": "1"}).status_code == 302

    assert client.post(url + "/create", data={**schedule, "ends": "09:00"}).status_code == 400
    assert client.post(url + "/create", data=schedule).status_code == 302
    db.session.expire_all()
    assert formation.status == "created" and len(formation.series_ids) == 2
    for number, series_id in enumerate(formation.series_ids):
        series = db.session.get(Series, series_id)
        assert series.format == "action_learning_set" and len(series.events) == 4
        assert all(not e.is_public and e.status == "published" for e in series.events)
        # The second Wednesday of each month from 10 March 2027, the same people every time.
        assert [e.starts_at.date() for e in series.events] == [date(2027, 3, 10), date(2027, 4, 14),
                                                              date(2027, 5, 12), date(2027, 6, 9)]
        roles = {m.person_id: m.role for m in series.members}
        assert set(roles) == set(formation.sets[number])
        assert [pid for pid, role in roles.items() if role == "facilitator"] == [
            p.id for p in leads if p.id in formation.sets[number]]
    # One mail each, naming the set and its dates.
    mails = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.subject.like("Your action learning set%"))).scalars().all()
    assert sorted(m.recipient for m in mails) == sorted(p.email for p in people + leads)
    assert all("Wednesday 10 March 2027" in m.text_body and "Wednesday 9 June 2027" in m.text_body for m in mails)
    # Created sets are not created twice.
    assert client.post(url + "/create", data=schedule).status_code == 400
    assert db.session.execute(select(func.count()).select_from(Series)).scalar_one() == 2


def test_refused_creation_changes_nothing(app):
    group, people, leads = _cohort(10, 0, managers=0)
    formation = sets.propose_sets(group, "Cohort", people, leads, None, BUDGET)
    sets.move_to_set(formation, formation.sets[0][0], 2)
    db.session.commit()
    with pytest.raises(sets.SetsRefused, match="Set 1 has 4 members"):
        sets.create_sets(formation, group, sets.SetSchedule(date(2027, 3, 10), 3, "monthly", time(9), time(12)))
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Event)).scalar_one() == 0


def test_a_cohort_from_an_uploaded_list_and_its_problems(app):
    group, people, leads = _cohort(6, 1, managers=1)
    organiser = factories.member(group, "organiser")
    stranger = factories.person()
    db.session.commit()
    client = _client(app, organiser)
    url = f"/communities/{group.slug}/learning-sets"
    bad = "Email address\n" + "\n".join(p.email for p in people) + f"\nnot-an-address\n{stranger.email}\n"
    response = client.post(url, data={"title": "From a list", "source": "list", "preferred": "6",
                                      "people_list": (io.BytesIO(bad.encode()), "cohort.csv")})
    assert response.status_code == 400
    assert "Line 8: “not-an-address” is not an email address" in response.text
    assert f"Line 9: {stranger.email} is not in {group.name}" in response.text
    assert db.session.execute(select(func.count()).select_from(SetFormation)).scalar_one() == 0
    assert client.post(url, data={"title": "No file", "source": "list", "preferred": "6"}).status_code == 400

    good = "\n".join(p.email for p in people)  # one address a line, no header
    response = client.post(url, data={"title": "From a list", "source": "list", "preferred": "6",
                                      "facilitators": [str(leads[0].id)],
                                      "people_list": (io.BytesIO(good.encode()), "cohort.csv")})
    assert response.status_code == 302
    formation = db.session.execute(select(SetFormation)).scalar_one()
    assert sorted(formation.sets[0]) == sorted([p.id for p in people] + [leads[0].id])
    # One set of six: a line manager and their report cannot be apart, and the page says so.
    page = client.get(response.headers["Location"]).text
    assert "line manager and both are in set 1" in page.replace("&#39;", "'")


def test_line_managers_are_edited_on_the_person_page_and_imported(app):
    group = factories.community()
    organiser = factories.member(group, "organiser")
    boss, worker = factories.member(group), factories.member(group)
    db.session.commit()
    client = _client(app, organiser)
    form = {"name": worker.name, "email": worker.email, "profession": "nursing", "role": "member",
            "invite_quota": "0", "line_manager_email": boss.email.upper()}
    assert client.post(f"/communities/{group.slug}/people/{worker.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert factories.record(group, worker).line_manager_id == boss.id
    response = client.post(f"/communities/{group.slug}/people/{worker.id}/edit",
                           data={**form, "line_manager_email": "nobody@example.org"})
    assert response.status_code == 400 and \
        "Nobody in this community has the address nobody@example.org" in response.text

    from cop.communities import guest_list
    text = ("name,email,line_manager_email\nNew Boss,new.boss@example.org,\n"
            f"{worker.name},{worker.email},new.boss@example.org\nLost Soul,lost@example.org,ghost@example.org\n")
    plan = guest_list.plan_import(group, text)
    assert [(p.line, p.reason) for p in plan.problems] == [
        (4, "Line manager ghost@example.org is neither in this file nor in this community")]
    guest_list.apply_import(group, "\n".join(text.splitlines()[:3]))
    db.session.expire_all()
    assert factories.record(group, worker).line_manager.email == "new.boss@example.org"
    assert "new.boss@example.org" in guest_list.export_guest_list(group)


def test_people_who_shared_a_set_before_are_put_in_new_sets(app):
    group, people, leads = _cohort(10, 0, managers=0)
    earlier = sets.propose_sets(group, "First cohort", people, leads, None, BUDGET, seed=1)
    sets.create_sets(earlier, group, sets.SetSchedule(date(2027, 3, 10), 2, "monthly", time(9), time(12)))
    db.session.commit()
    again = sets.propose_sets(group, "Second cohort", people, leads, None, BUDGET, seed=1)
    assert len(again.settings["met_before"]) == 2 * 10  # two sets of five: ten pairs each
    before = {pid: n for n, members in enumerate(earlier.sets) for pid in members}
    for members in again.sets:  # each new set mixes people from both earlier sets
        assert len({before[pid] for pid in members}) == 2
    lines = dict(sets.score_in_words(again))
    assert "Met in earlier sets" in lines
