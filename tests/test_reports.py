"""Reports: the figures on a small community whose right answers are worked out by hand below.

The fixture (all times UTC, all in the past except E4):
  organisations  A "Acute Trust" (acute), B "Food Bank" (VCSE), C "County Council" (local
                 authority), D "The ICB" (ICB), E "Hospice" (hospice)
  people         a1 a2 a3 (A), b1 b2 (B), c1 (C), d1 (D), e1 (E), x1 (no organisation)
  E1 14 Jan 2025  checked in a1 a2 b1 c1
                  plan in use (current): tables [2, 2], 1 round: {a1 b1} {a2 c1}
  E2 11 Feb 2025  checked in a1 a3 b1 b2 d1 x1 (x1 a walk-in; a2 confirmed but not checked in)
                  plan v1 (draft, ignored): everyone at one table of 8
                  plan v2 (printed, in use): tables [4, 4], 2 rounds:
                    round 1: {a1 b1 d1 a2} {a3 b2 x1}   round 2: {a1 b2 x1} {a3 b1 d1 a2}
  cancelled 20 Feb 2025: e1 checked in, plan {c1 d1}: a cancelled event is not in the report
  E3 11 Mar 2025  checked in a1 c1 d1 b1; only a draft plan {c1 d1}: no plan in use
  E4 2030         nobody checked in (not begun); plan {a1 c1}: not in the community report
"""
import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime

import pytest
import sqlalchemy as sa

from cop.communities.models import Membership
from cop.events.listing import events_held
from cop.events.models import Attendance, Event
from cop.extensions import db
from cop.invitations.models import Invitation
from cop.reports import charts, figures, queries, store
from cop.seating.models import Seat, SeatingPlan
from tests import factories
from tests.conftest import sign_in

SVG = "{http://www.w3.org/2000/svg}"


def _plan(event, tables, rounds, status="current", version=1):
    plan = SeatingPlan(event=event, version=version, settings={"tables": tables, "rounds": len(rounds)},
                       status=status, printed_at=datetime(2025, 1, 1) if status == "printed" else None)
    for r, round_tables in enumerate(rounds, start=1):
        for t, people in enumerate(round_tables, start=1):
            plan.seats.extend(Seat(person_id=p.id, round=r, table=t) for p in people)
    db.session.add(plan)
    return plan


def _check_in(event, *people, walk_in=False):
    for person in people:
        db.session.add(Attendance(event=event, person=person, walk_in=walk_in, checked_in_at=event.starts_at))


@pytest.fixture
def community(app):
    group = factories.community(slug="big-room")
    orgs = {
        "A": factories.organisation("Acute Trust", "acute", "Thurrock"),
        "B": factories.organisation("Food Bank", "vcse", "Mid Essex"),
        "C": factories.organisation("County Council", "local_authority", "Thurrock"),
        "D": factories.organisation("The ICB", "icb", "Basildon and Brentwood"),
        "E": factories.organisation("Hospice", "hospice", "Mid Essex"),
    }
    professions = {"A": "nursing", "B": "social_care", "C": "social_work", "D": "management", "E": "medicine"}
    p = {}
    for name in ("a1", "a2", "a3", "b1", "b2", "c1", "d1", "e1"):
        key = name[0].upper()
        p[name] = factories.member(group, someone=factories.person(name=name, org=orgs[key],
                                                                   profession=professions[key]))
    p["x1"] = factories.member(group, "guest", factories.person(name="x1", profession="other"))
    organiser = factories.member(group, "organiser")
    facilitator = factories.member(group, "facilitator")
    member = factories.member(group, "member")

    e1 = factories.event(group, "E1 Big Room", datetime(2025, 1, 14, 18))
    e2 = factories.event(group, "E2 Big Room", datetime(2025, 2, 11, 18))
    cancelled = factories.event(group, "Cancelled Big Room", datetime(2025, 2, 20, 18), status="cancelled")
    e3 = factories.event(group, "=E3 Big Room", datetime(2025, 3, 11, 18))  # a formula-looking title, for the CSV
    e4 = factories.event(group, "E4 Big Room", datetime(2030, 1, 8, 18))
    db.session.flush()
    _check_in(e1, p["a1"], p["a2"], p["b1"], p["c1"])
    _plan(e1, [2, 2], [[[p["a1"], p["b1"]], [p["a2"], p["c1"]]]])
    for person in ("a1", "a2", "a3", "b1", "b2", "d1"):
        factories.invitation(e2, p[person], answer="yes", place="confirmed")
    _check_in(e2, p["a1"], p["a3"], p["b1"], p["b2"], p["d1"])
    _check_in(e2, p["x1"], walk_in=True)
    everyone = [p[n] for n in ("a1", "a2", "a3", "b1", "b2", "d1", "x1")]
    _plan(e2, [8], [[everyone]], status="draft", version=1)
    _plan(e2, [4, 4], [[[p["a1"], p["b1"], p["d1"], p["a2"]], [p["a3"], p["b2"], p["x1"]]],
                       [[p["a1"], p["b2"], p["x1"]], [p["a3"], p["b1"], p["d1"], p["a2"]]]],
          status="printed", version=2)
    _check_in(cancelled, p["e1"])
    _plan(cancelled, [2], [[[p["c1"], p["d1"]]]])
    _check_in(e3, p["a1"], p["c1"], p["d1"], p["b1"])
    _plan(e3, [2], [[[p["c1"], p["d1"]]]], status="draft")
    _plan(e4, [2], [[[p["a1"], p["c1"]]]])
    db.session.commit()
    accounts = {role: factories.account(who) for role, who in
                (("organiser", organiser), ("facilitator", facilitator), ("member", member))}
    return {"group": group, "people": p, "events": {"E1": e1, "E2": e2, "E3": e3, "E4": e4},
            "accounts": accounts}


def test_community_figures_match_the_hand_worked_answers(community):
    report = queries.community_report(community["group"])
    e1, e2, e3 = report.events
    assert [f.record.title for f in report.events] == ["E1 Big Room", "E2 Big Room", "=E3 Big Room"]

    # Attendances 4 + 6 + 4 = 14; people a1 a2 a3 b1 b2 c1 d1 x1 = 8 (e1 came only to the cancelled
    # event); organisations A B C D = 4 (not E).
    assert (report.attendances, report.people, report.organisations) == (14, 8, 4)
    assert report.organisations_reached == [3, 4, 4]

    # E1: every organisation is new at the first event: 4 of 4 attendees.
    assert (e1.attendance, e1.organisations, e1.from_new_organisations) == (4, 3, 4)
    assert e1.new_organisations == ["Acute Trust", "County Council", "Food Bank"]
    assert e1.new_organisation_share == 1
    # Pairs a1-b1 (A-B) and a2-c1 (A-C): 2, both new. Allowed: cross pairs among the 4 people are
    # C(4,2) - C(2,2) [a1-a2] = 5; per round the tables [2, 2] hold 1 + 1 = 2 pairs, and A's two
    # people can sit apart (0 same-organisation pairs), so 2 - 0 = 2; min(5, 2) = 2: 100%.
    assert (e1.seated, e1.cross_pairs, e1.allowed_pairs, e1.new_cross_pairs) == (4, 2, 2, 2)
    assert e1.reach_share == 1

    # E2: 6 attendees (a2 was not checked in); D is new: 1 of 6 from a new organisation.
    assert (e2.attendance, e2.organisations, e2.from_new_organisations) == (6, 3, 1)
    assert e2.new_organisations == ["The ICB"]
    assert e2.new_organisation_share == pytest.approx(1 / 6)
    # The breakdowns of one event are on its own report (the community report counts people once each instead).
    e2_report = queries.event_report(community["events"]["E2"])
    assert e2_report.by_organisation == [("Acute Trust", 2), ("Food Bank", 2), ("No organisation recorded", 1),
                                         ("The ICB", 1)]
    assert e2_report.by_sector == [("Acute trust", 2), ("VCSE", 2), ("ICB", 1), ("Not recorded", 1)]
    assert e2_report.by_profession == [("Nursing", 2), ("Social care", 2), ("Management", 1), ("Other", 1)]
    assert e2_report.by_place == [("Mid Essex", 2), ("Thurrock", 2), ("Basildon and Brentwood", 1),
                                  ("Not recorded", 1)]
    # The printed v2 is used, not the draft v1. Without a2 (absent) and x1 (no organisation):
    # round 1 {a1 b1 d1}: a1-b1 a1-d1 b1-d1, {a3 b2}: a3-b2; round 2 {a1 b2}: a1-b2,
    # {a3 b1 d1}: a3-b1 a3-d1 (b1-d1 again). Distinct: 7. New: all but a1-b1 (met at E1): 6.
    # Allowed: the 5 with an organisation, A 2 B 2 D 1, have C(5,2) - 1 - 1 = 8 cross pairs;
    # per round tables [4, 4] hold 4 + 1 people: C(4,2) = 6 pairs, with A and B each split 1 + 1
    # (0 same-organisation pairs): 6, over 2 rounds 12; min(8, 12) = 8. Share 7 / 8.
    assert (e2.seated, e2.cross_pairs, e2.allowed_pairs, e2.new_cross_pairs) == (6, 7, 8, 6)
    assert e2.reach_share == 7 / 8
    assert e2_report.links == {("Acute Trust", "Food Bank"): 4, ("Acute Trust", "The ICB"): 2,
                               ("Food Bank", "The ICB"): 1}
    # E1 had A-B and A-C: A-D and B-D are organisation pairs meeting for the first time.
    assert (e1.new_organisation_pairs, e2.new_organisation_pairs) == (2, 2)

    # E3: nobody new (the cancelled event's Hospice never counted); only a draft plan: no pairs.
    assert (e3.attendance, e3.organisations, e3.from_new_organisations, e3.new_organisation_share) == (4, 4, 0, 0)
    assert not e3.has_plan and e3.allowed_pairs is None and e3.reach_share is None and e3.cross_pairs == 0

    # The network: A-B a1b1 a3b2 a1b2 a3b1 = 4, A-C a2c1 = 1, A-D a1d1 a3d1 = 2, B-D b1d1 = 1: 8 pairs.
    assert report.links == {("Acute Trust", "Food Bank"): 4, ("Acute Trust", "County Council"): 1,
                            ("Acute Trust", "The ICB"): 2, ("Food Bank", "The ICB"): 1}
    assert report.cross_pairs == 8
    # The page's summary of that network: 4 pairs of organisations, 8 pairs of people, the heaviest first.
    assert (report.network.organisation_pairs, report.network.person_pairs) == (4, 8)
    assert report.network.top[:2] == [(("Acute Trust", "Food Bank"), 4), (("Acute Trust", "The ICB"), 2)]
    assert report.network.by_sector == [("Acute trust", "VCSE", 1, 4), ("Acute trust", "ICB", 1, 2),
                                        ("Acute trust", "Local authority and social care", 1, 1),
                                        ("ICB", "VCSE", 1, 1)]
    # Sector, over the three events: acute a1 a2 | a1 a3 | a1 = 5 attendances by 3 people;
    # VCSE b1 | b1 b2 | b1 = 4 by 2; local authority c1 | c1 = 2 by 1; ICB d1 | d1 = 2 by 1; x1 1 by 1.
    assert [(r.label, r.attendances, r.people) for r in report.breakdowns["sector"]] == [
        ("Acute trust", 5, 3), ("VCSE", 4, 2), ("ICB", 2, 1), ("Local authority and social care", 2, 1),
        ("Not recorded", 1, 1)]


def test_an_event_report_is_judged_against_the_events_before_it(community):
    e2 = queries.event_report(community["events"]["E2"])
    assert (e2.attendance, e2.cross_pairs, e2.allowed_pairs, e2.new_cross_pairs) == (6, 7, 8, 6)
    assert e2.new_organisations == ["The ICB"]
    # E4 has not begun: nobody checked in, so its plan seats nobody who came.
    e4 = queries.event_report(community["events"]["E4"])
    assert (e4.attendance, e4.seated, e4.cross_pairs, e4.allowed_pairs, e4.reach_share) == (0, 0, 0, 0, None)


def _as_computed_afresh(group) -> None:
    """The report from kept figures says what computing the whole history afresh says."""
    kept = queries.community_report(group)
    fresh = figures.community_figures(queries.event_records(group))
    fields = ("attendance", "organisations", "new_organisations", "from_new_organisations", "seated", "cross_pairs",
              "allowed_pairs", "new_cross_pairs", "has_plan", "new_organisation_pairs")
    assert [[getattr(f, name) for name in fields] for f in kept.events] == [
        [getattr(f, name) for name in fields] for f in fresh.events]
    assert (kept.attendances, kept.people, kept.organisations, kept.cross_pairs, kept.organisations_reached,
            kept.links, kept.breakdowns) == (fresh.attendances, fresh.people, fresh.organisations, fresh.cross_pairs,
                                             fresh.organisations_reached, fresh.links, fresh.breakdowns)
    for figure in fresh.events:  # and each event's own report, breakdowns and pairs included
        event = db.session.get(Event, figure.record.event_id)
        alone = queries.event_report(event)
        assert [getattr(alone, name) for name in fields + ("links", "by_organisation", "by_sector", "by_place")] == [
            getattr(figure, name) for name in fields + ("links", "by_organisation", "by_sector", "by_place")]


def test_kept_figures_follow_every_change_after_the_fact(app, community):
    """The figures are kept once computed; a check-in added later, a plan made again, a person moved to another
    organisation or an invitation revoked makes them (and the later events') be computed again."""
    from cop.door.check_in import check_in, undo_check_in
    from cop.privacy import erase_person
    from cop.reports.models import EventFigures

    group, p, events = community["group"], community["people"], community["events"]
    _as_computed_afresh(group)
    db.session.commit()
    kept_at = dict(db.session.execute(sa.select(EventFigures.event_id, EventFigures.computed_at)).all())
    assert set(kept_at) == {events["E1"].id, events["E2"].id, events["E3"].id}
    assert queries.community_report(group).events[1].new_organisations == ["The ICB"]
    assert not store.keep(events_held(group), lambda: queries.event_records(group))  # nothing changed: nothing done

    # d1 checked in at E1 after the fact: The ICB is new at E1, no longer at E2 (a later event, computed again).
    check_in(events["E1"], p["d1"])
    db.session.commit()
    assert store.keep(events_held(group), lambda: queries.event_records(group)) == [
        events["E1"].id, events["E2"].id, events["E3"].id]
    report = queries.community_report(group)
    assert "The ICB" in report.events[0].new_organisations and report.events[1].new_organisations == []
    _as_computed_afresh(group)
    undo_check_in(events["E1"], p["d1"], None)
    db.session.commit()
    _as_computed_afresh(group)

    # E1's plan made again: a1 with c1, a2 with b1. Every cross pair at E2 is new now.
    db.session.execute(sa.delete(Seat).where(Seat.plan_id.in_(
        sa.select(SeatingPlan.id).where(SeatingPlan.event_id == events["E1"].id))))
    db.session.execute(sa.delete(SeatingPlan).where(SeatingPlan.event_id == events["E1"].id))
    _plan(events["E1"], [2, 2], [[[p["a1"], p["c1"]], [p["a2"], p["b1"]]]], version=2)
    db.session.commit()
    assert queries.event_report(events["E2"]).new_cross_pairs == 7
    _as_computed_afresh(group)

    # x1 joins an organisation: E2 has one more organisation, new to the community.
    membership = db.session.execute(sa.select(Membership).where(
        Membership.person_id == p["x1"].id, Membership.community_id == group.id)).scalar_one()
    hospice = factories.organisation("Hosbis Tŷ Gobaith", "hospice", "Mid Essex")
    db.session.flush()
    membership.organisation_id = hospice.id
    db.session.commit()
    assert queries.event_report(events["E2"]).new_organisations == ["Hosbis Tŷ Gobaith", "The ICB"]
    _as_computed_afresh(group)

    # An invitation revoked: E2's channels change.
    invitation = db.session.execute(sa.select(Invitation).where(
        Invitation.event_id == events["E2"].id, Invitation.person_id == p["b2"].id)).scalar_one()
    invitation.revoked_at = datetime(2025, 2, 1)
    db.session.commit()
    channels = queries.EventReport(events["E2"]).channels
    assert sum(row.reached for row in channels) == 5

    # b2 erased: erasure anonymises and keeps the check-in and the organisation (cop.people.personal_data), so
    # the counts stay; the kept figures hold counts and organisation ids only.
    erase_person(p["b2"])
    assert queries.event_report(events["E2"]).attendance == 6
    _as_computed_afresh(group)
    # E2's plan in use was the last event's with pairs; with E3 cancelled no event is stale, yet the network is
    # added up again (it stands for the held events: the last one's fingerprint), and still matches.
    events["E3"].status = "cancelled"
    db.session.commit()
    assert not store.keep(events_held(group), lambda: queries.event_records(group))
    assert [f.record.title for f in queries.community_report(group).events] == ["E1 Big Room", "E2 Big Room"]
    _as_computed_afresh(group)
    events["E3"].status = "published"
    db.session.commit()

    # b2's check-in at E2 undone: E2 and E3 computed again.
    undo_check_in(events["E2"], p["b2"], None)
    db.session.commit()
    assert store.keep(events_held(group), lambda: queries.event_records(group)) == [events["E2"].id, events["E3"].id]
    assert queries.event_report(events["E2"]).attendance == 5
    _as_computed_afresh(group)


def test_allowed_pairs_on_small_rooms():
    one = Counter
    # Three organisations of 2 at one table of 6: 15 pairs, 3 within organisations: 12 allowed.
    assert figures.allowed_cross_pairs([6], [one({1: 2, 2: 2, 3: 2})], one({1: 2, 2: 2, 3: 2})) == 12
    # The same six at tables [3, 3] for 1 round: 3 + 3 = 6 pairs, each organisation split: 6.
    assert figures.allowed_cross_pairs([3, 3], [one({1: 2, 2: 2, 3: 2})], one({1: 2, 2: 2, 3: 2})) == 6
    # ... for 3 rounds: 18 by the tables, but only 12 cross pairs exist: 12.
    rounds = [one({1: 2, 2: 2, 3: 2})] * 3
    assert figures.allowed_cross_pairs([3, 3], rounds, one({1: 2, 2: 2, 3: 2})) == 12
    # One organisation of 5 and one person, tables [3, 3]: packed 3 + 3 = 6 pairs; the 5 must form
    # at least C(3,2) + C(2,2) = 4 pairs among themselves: 2 allowed (the outsider meets 2 of them).
    assert figures.allowed_cross_pairs([3, 3], [one({1: 5, 2: 1})], one({1: 5, 2: 1})) == 2
    # Everyone from one organisation: nothing.
    assert figures.allowed_cross_pairs([10], [one({1: 8})], one({1: 8})) == 0
    assert figures.most_pairs_at_tables([2, 5, 3], 6) == 10 + 0  # 5 at the table of 5, 1 at the next
    assert figures.fewest_pairs_within([2, 5, 3], 6) == 1 + 1 + 1  # 2, 2, 2


def test_mixing_reach_never_exceeds_what_the_room_allowed():
    """Any seating's cross pairs stay within the bound: random rooms checked exhaustively by rounds."""
    import random

    rng = random.Random(7)
    for _ in range(200):
        tables = [rng.randint(2, 5) for _ in range(rng.randint(1, 4))]
        people = rng.randint(2, sum(tables))
        organisation_of = {pid: rng.randint(1, 3) for pid in range(people)}
        attendees = tuple(figures.Attendee(pid, org, f"Org {org}", "", "", "") for pid, org in organisation_of.items())
        rounds = []
        for _ in range(rng.randint(1, 3)):
            ids = list(organisation_of)
            rng.shuffle(ids)
            seating, start = [], 0
            for capacity in tables:
                seating.append(tuple(ids[start:start + capacity]))
                start += capacity
            rounds.append(tuple(seating))
        seating = figures.Seating(tuple(tables), tuple(rounds))
        record = figures.EventRecord(1, "Room", datetime(2025, 1, 1), attendees, seating)
        figure = figures.event_figures(record, set(), set())
        assert figure.cross_pairs <= figure.allowed_pairs


def test_follow_up_intentions_are_counted_from_plain_pairs():
    organisation_of = {1: 10, 2: 10, 3: 20, 4: None}
    pairs = [(1, 2), (1, 3), (None, 3), (2, 4), (3, 1)]
    follow_ups = figures.follow_up_figures(pairs, organisation_of)
    # 1->2 same organisation; 1->3 and 3->1 across; the anonymous answer and the person with no
    # organisation (4) are unknown; people chosen: 2, 3, 4, 1.
    assert (follow_ups.intentions, follow_ups.cross_organisation, follow_ups.unknown_organisation,
            follow_ups.people_chosen) == (5, 2, 2, 4)


def test_follow_ups_take_organisations_from_the_people_checked_in():
    def attendee(pid, org):
        return figures.Attendee(pid, org, f"Org {org}" if org else "", "", "", "")

    records = [figures.EventRecord(1, "E", datetime(2025, 1, 1), (attendee(1, 10), attendee(2, 20), attendee(3, None)))]
    # 1 -> 2 across organisations; 2 -> 3 (no organisation) and anonymous -> 1 unknown.
    follow_ups = queries.follow_ups_for(records, [(1, 2), (2, 3), (None, 1)])
    assert (follow_ups.intentions, follow_ups.cross_organisation, follow_ups.unknown_organisation) == (3, 1, 2)


def _client(app, account):
    client = app.test_client()
    sign_in(client, account)
    return client


def test_the_community_csv_holds_every_section(app, community):
    response = _client(app, community["accounts"]["facilitator"]).get("/communities/big-room/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="big-room-report.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["section", "event_date", "event", "measure", "label", "value"]
    assert ["community totals", "", "", "attendances", "", "14"] in rows
    assert ["community totals", "", "", "organisations reached", "", "4"] in rows
    assert ["community attendance by sector", "", "", "people", "Acute trust", "3"] in rows
    assert ["community network of organisations", "", "", "cross-organisation pairs", "Acute Trust & Food Bank",
            "4"] in rows
    e2 = ["events over time", "2025-02-11", "E2 Big Room"]
    assert e2 + ["cross-organisation pairs (mixing reach)", "", "7"] in rows
    assert e2 + ["cross-organisation pairs the room allowed", "", "8"] in rows
    assert e2 + ["mixing reach share", "", "0.8750"] in rows
    assert e2 + ["new cross-organisation pairs", "", "6"] in rows
    assert e2 + ["organisations reached so far", "", "4"] in rows
    assert ["organisations never seen before", "2025-02-11", "E2 Big Room", "new organisation", "The ICB", "1"] in rows
    assert ["attendance by organisation", "2025-02-11", "E2 Big Room", "attendance", "No organisation recorded",
            "1"] in rows
    assert ["organisations that sat together", "2025-02-11", "E2 Big Room", "cross-organisation pairs",
            "Acute Trust & The ICB", "2"] in rows
    # The formula-looking title is written so that spreadsheets do not run it.
    assert ["events over time", "2025-03-11", "'=E3 Big Room", "mixing reach share", "", ""] in rows
    assert not any("Cancelled" in row[2] or "E4" in row[2] for row in rows)
    assert {row[0] for row in rows[1:]} == {
        "community totals", "community attendance by organisation", "community attendance by sector",
        "community attendance by profession", "community attendance by place", "community network of organisations",
        "events over time", "organisations never seen before", "attendance by organisation", "attendance by sector",
        "attendance by profession", "attendance by place", "organisations that sat together",
        "follow-up intentions from feedback", "by channel", "community by theme"}
    assert ["follow-up intentions from feedback", "", "", "intentions", "", "0"] in rows  # no feedback here


def test_a_large_communitys_csv_is_written_by_a_job(app, community):
    """Past REPORT_CSV_IN_BACKGROUND_OVER attendances the page offers the CSV as a job; its file is the direct
    download's, row for row. A second click while it waits goes to the same job."""
    from cop.jobs import queue
    from cop.jobs.models import Job

    app.config["REPORT_CSV_IN_BACKGROUND_OVER"] = 10  # 14 attendances: "large" for this test
    client = _client(app, community["accounts"]["facilitator"])
    html = client.get("/communities/big-room/report").get_data(as_text=True)
    assert 'action="/communities/big-room/report.csv/job"' in html
    assert 'href="/communities/big-room/report.csv"' not in html and 'href="#csv"' in html
    started = client.post("/communities/big-room/report.csv/job")
    assert started.status_code == 303
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    assert client.post("/communities/big-room/report.csv/job").headers["Location"] == started.headers["Location"]
    assert queue.work_once(app)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.state == "done" and job.kind == "report_csv" and "rows" in job.message
    made = client.post(f"/jobs/{job_id}/download")
    assert made.status_code == 200 and made.mimetype == "text/csv"
    assert 'filename="big-room-report.csv"' in made.headers["Content-Disposition"]
    direct = client.get("/communities/big-room/report.csv")
    assert made.get_data(as_text=True) == direct.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(made.get_data(as_text=True))))
    assert ["community totals", "", "", "attendances", "", "14"] in rows


def test_the_community_report_shows_attendance_and_mixing_by_theme(app, community):
    """Issue 22: the themes of the year, each theme's events added up from their own figures. E1 and E2 carry
    "Eiddilwch – frailty": 2 events, 4 + 6 = 10 attendances by a1 a2 b1 c1 | a1 a3 b1 b2 d1 x1 = 8 people from
    A B C D = 4 organisations, 4 + 1 = 5 from new organisations; both seated: reach 2 + 7 = 9 of 2 + 8 = 10,
    new pairs 2 + 6 = 8. E3 has no theme: 1 event, 4 attendances, no plan in use."""
    from cop.programme import year

    theme = year.add_theme(community["group"], "Eiddilwch – frailty", None)
    for key in ("E1", "E2"):
        year.give_event_theme(community["events"][key], theme)
    db.session.commit()
    rows = queries.community_report(community["group"]).themes
    assert [(r.theme, r.events, r.attendances, r.people, r.organisations, r.from_new_organisations, r.seated_events,
             r.cross_pairs, r.allowed_pairs, r.new_cross_pairs) for r in rows] == [
        ("Eiddilwch – frailty", 2, 10, 8, 4, 5, 2, 9, 10, 8), ("No theme", 1, 4, 4, 4, 0, 0, 0, 0, 0)]
    assert rows[0].reach_share == 0.9 and rows[1].reach_share is None
    client = _client(app, community["accounts"]["organiser"])
    html = client.get("/communities/big-room/report").get_data(as_text=True)
    table = html.split('id="by-theme-table"')[1].split("</table>")[0]
    assert "Eiddilwch – frailty" in table and "90%" in table and "No seating plan in use" in table
    csv_rows = list(csv.reader(io.StringIO(client.get("/communities/big-room/report.csv").get_data(as_text=True))))
    assert ["community by theme", "", "", "mixing reach (pairs)", "Eiddilwch – frailty", "9"] in csv_rows
    assert ["community by theme", "", "", "attendances", "No theme", "4"] in csv_rows


def test_without_themes_the_report_has_no_theme_table(app, community):
    html = _client(app, community["accounts"]["organiser"]).get("/communities/big-room/report").get_data(as_text=True)
    assert 'id="by-theme-table"' not in html


def test_the_event_csv(app, community):
    event = community["events"]["E2"]
    response = _client(app, community["accounts"]["organiser"]).get(f"/events/{event.id}/report.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["event", "2025-02-11", "E2 Big Room", "attendance", "", "6"] in rows
    assert ["event", "2025-02-11", "E2 Big Room", "mixing reach share", "", "0.8750"] in rows


def _svgs(html: str) -> dict[str, ET.Element]:
    found = {}
    for markup in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        svg = ET.fromstring(markup)  # well-formed, or this raises
        found[svg.get("id")] = svg
    return found


def _check_labelled(svg: ET.Element) -> None:
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}title").text
    assert svg.find(f"{SVG}desc").get("id") == desc_id and svg.find(f"{SVG}desc").text


def _bars(svg: ET.Element) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "cop-chart__bar"]


def test_the_community_report_page_draws_labelled_charts_with_tables(app, community):
    page = _client(app, community["accounts"]["organiser"]).get("/communities/big-room/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    svgs = _svgs(html)
    assert set(svgs) == {"trend-attendance", "trend-pairs", "trend-shares", "community-organisation",
                         "community-sector", "community-profession", "community-place", "community-network"}
    for svg in svgs.values():
        _check_labelled(svg)
    assert len(_bars(svgs["community-sector"])) == 5  # acute, VCSE, ICB, local authority, not recorded
    assert len(_bars(svgs["community-organisation"])) == 5  # A, B, C, D and "no organisation recorded"
    assert len([g for g in svgs["trend-attendance"].iter(f"{SVG}g") if g.get("class") == "cop-chart__series"]) == 3
    network = svgs["community-network"]
    assert len([g for g in network.iter(f"{SVG}g") if g.get("class") == "cop-chart__organisation"]) == 4
    assert len([line for line in network.iter(f"{SVG}line") if line.get("class") == "cop-chart__link"]) == 4
    # The table alternatives, the definitions, the links to each event's report and the CSV.
    assert "Events over time (the charts' numbers)" in html and "Attendance by sector (the chart" in html
    assert "Acute Trust and Food Bank" in html and "What the room allowed" in html
    assert f'/events/{community["events"]["E2"].id}/report' in html and "/communities/big-room/report.csv" in html
    assert "E4 Big Room" not in html and "Cancelled Big Room" not in html
    assert "style=" not in "".join(re.findall(r"<svg\b.*?</svg>", html, flags=re.S))  # the CSP blocks inline styles


def test_the_event_report_page(app, community):
    event = community["events"]["E2"]
    client = _client(app, community["accounts"]["facilitator"])
    html = client.get(f"/events/{event.id}/report").get_data(as_text=True)
    svgs = _svgs(html)
    assert set(svgs) == {"event-organisation", "event-sector", "event-profession", "event-place", "event-network"}
    for svg in svgs.values():
        _check_labelled(svg)
    assert len(_bars(svgs["event-organisation"])) == 4
    assert "88%" in html and "The ICB" in html  # 7 of 8 pairs, rounded
    # Linked from the event page and the community page.
    assert f'/events/{event.id}/report"' in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert '/communities/big-room/report"' in client.get("/communities/big-room").get_data(as_text=True)
    e3 = community["events"]["E3"]
    assert "No plan in use" in client.get(f"/events/{e3.id}/report").get_data(as_text=True)


def test_members_may_not_see_reports(app, community):
    client = _client(app, community["accounts"]["member"])
    assert client.get("/communities/big-room/report").status_code == 403
    assert client.get("/communities/big-room/report.csv").status_code == 403
    assert client.get(f"/events/{community['events']['E1'].id}/report").status_code == 403
    assert "/communities/big-room/report" not in client.get("/communities/big-room").get_data(as_text=True)


def test_charts_escape_their_labels():
    svg = ET.fromstring(str(charts.bar_chart("c", "A <b> & c", "d", [("<script>&", 3)])))
    assert svg.find(f"{SVG}title").text == "A <b> & c"
    assert len(_bars(svg)) == 1
    empty = ET.fromstring(str(charts.network_chart("n", "t", "d", [("A", 1)], {})))
    assert "Nobody" in "".join(empty.itertext())


def _grown_community(slug: str, boss, events: int, people: int):
    """A community of `people` in 5 organisations (Welsh, accented and non-Latin names) with `events` past Big Rooms:
    everyone invited and checked in, seated at tables of 4 in two rounds. Returns its latest event."""
    group = factories.community(slug=slug)
    factories.member(group, "organiser", boss)
    organisations = [factories.organisation(name) for name in (
        f"Bwrdd Iechyd {slug}", f"Cyngor Sir {slug}", f"Hôpital Zoë {slug}", f"社区 {slug}", f"Ysbyty {slug}")]
    everyone = [factories.member(group, someone=factories.person(name=f"Siân Ó Súilleabháin {number}",
                                                                 org=organisations[number % 5]))
                for number in range(people)]
    db.session.flush()
    latest = None
    for number in range(events):
        latest = factories.event(group, f"Cylch {number}", datetime(2024, 1, 1 + number, 18))
        db.session.flush()
        for person in everyone:
            factories.invitation(latest, person, answer="yes", place="confirmed")
        _check_in(latest, *everyone)
        shifted = everyone[number % people:] + everyone[:number % people]
        _plan(latest, [4] * (people // 4), [[shifted[t::people // 4] for t in range(people // 4)],
                                            [shifted[t * 4:t * 4 + 4] for t in range(people // 4)]])
    return latest


def _queries_for(app, client, url: str) -> int:
    statements = []
    db.session.remove()  # a fresh session, as a new request in production has: nothing cached

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_reports_make_the_same_queries_however_large_the_community(app):
    """3 events of 20 people and 12 events of 80: the same statements, on the first view (which computes and
    keeps every event's figures) and on the next (which reads what was kept)."""
    boss = factories.person()
    latest = {"small": _grown_community("small", boss, 3, 20), "large": _grown_community("large", boss, 12, 80)}
    db.session.commit()
    latest_ids = {size: event.id for size, event in latest.items()}
    client = _client(app, factories.account(boss))
    client.get("/communities/small")  # the signed-in user is loaded once, then kept for the app context
    pages = {"community report": "/communities/{}/report", "event report": "/events/{}/report",
             "community CSV": "/communities/{}/report.csv", "event CSV": "/events/{}/report.csv"}
    for view in ("first", "next"):
        for page, url in pages.items():
            counts = {size: _queries_for(app, client, url.format(latest_ids[size] if "event" in page else size))
                      for size in ("small", "large")}
            assert counts["small"] == counts["large"], (view, page, counts)
            if view == "next" and page.endswith("report"):
                assert counts["small"] <= 20, (page, counts)


def test_a_large_community_brings_stale_figures_up_to_date_in_a_job(app, community):
    """Past REPORT_UPDATE_IN_BACKGROUND_OVER attendances, computing figures again (which reads the whole history)
    is a job's: the report goes to its progress page, a second view while it waits goes to the same job, and
    once it has run the report reads what it kept. Figures already kept and current are read in the request."""
    from cop.jobs import queue
    from cop.jobs.models import Job
    from cop.reports.models import EventFigures

    app.config["REPORT_UPDATE_IN_BACKGROUND_OVER"] = 5  # 14 attendances (10 up to E2): "large" for this test
    client = _client(app, community["accounts"]["facilitator"])
    assert db.session.scalar(sa.select(sa.func.count(EventFigures.event_id))) == 0  # nothing computed yet
    first = client.get("/communities/big-room/report")
    assert first.status_code == 303 and "/jobs/" in first.headers["Location"]
    job_id = int(first.headers["Location"].rsplit("/", 1)[1])
    event = community["events"]["E2"]
    assert client.get(f"/events/{event.id}/report").headers["Location"] == first.headers["Location"]
    assert client.get("/communities/big-room/report.csv").headers["Location"] == first.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(EventFigures.event_id))) == 0  # the requests computed nothing

    assert queue.work_once(app)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.state == "done" and job.kind == "report_figures" and job.next_url == "/communities/big-room/report"
    assert client.get("/communities/big-room/report").status_code == 200
    assert client.get(f"/events/{event.id}/report").status_code == 200

    # A check-in added afterwards at an early event makes the figures stale again: a job again, not the request.
    someone = factories.member(community["group"], someone=factories.person(name="Gruffudd ab Owain"))
    _check_in(event, someone)
    db.session.commit()
    again = client.get("/communities/big-room/report")
    assert again.status_code == 303 and again.headers["Location"] != first.headers["Location"]
    assert queue.work_once(app)
    page = client.get("/communities/big-room/report")
    assert page.status_code == 200
    _as_computed_afresh(community["group"])
