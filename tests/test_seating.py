"""Seating plans: who is seated, history between events, versions, hand changes, locks, re-seating, forms."""
import re
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from cop import mixing
from cop.communities.members import as_members
from cop.events.models import Attendance
from cop.extensions import db
from cop.seating import plans
from cop.seating.models import Seat, SeatingPlan
from tests import factories
from tests.conftest import sign_in

BUDGET = plans.Budget(iterations=2000)
NAMES = ["Ada Quill", "Ben Marsh", "Cleo Vance", "Dev Orchard", "Esi Brook", "Fynn Hale", "Gia Thorn",
         "Hal Pike", "Ida Crane", "Jon Reed", "Kai Moss", "Lea Frost", "Mo Ash", "Nia Wren", "Oz Bell", "Pia Lund",
         "Rex Dunn", "Sia Holt", "Tam Ives", "Uli Roe"]


def _room(people=12, group=None, starts_at=None, places=("Thurrock", "Basildon")):
    """A community, its facilitator, an event and `people` with confirmed places from four organisations."""
    group = group or factories.community()
    facilitator = factories.member(group, "facilitator")
    organisations = [factories.organisation(sector=sector, place=places[n % len(places)])
                     for n, sector in enumerate(("acute", "vcse", "icb", "primary_care"))]
    event = factories.event(group, starts_at=starts_at)
    seated = []
    for n in range(people):
        someone = factories.member(group, someone=factories.person(
            name=NAMES[n], org=organisations[n % 4], profession=("nursing", "medicine", "social_work")[n % 3]))
        factories.invitation(event, someone, answer="yes", place="confirmed")
        seated.append(someone)
    db.session.commit()
    return group, facilitator, event, as_members(group.id, seated)  # as the community knows them


def _choices(tables=(4, 4, 4), rounds=2, **fields):
    return plans.SeatingChoices(tables=list(tables), rounds=rounds, **fields)


def _seats(plan: SeatingPlan) -> dict[tuple[int, int], int]:
    """(person, round) -> table."""
    return {(s.person_id, s.round): s.table for s in plan.seats}


def _client_as(app, person):
    client = app.test_client()
    sign_in(client, factories.account(person))
    return client


# --- who is seated, and history -----------------------------------------------------------------


def test_before_the_event_the_confirmed_people_are_seated_and_on_the_night_the_checked_in(app):
    group, _, event, seated = _room(people=4)
    waiting, declined, revoked = factories.person(), factories.person(), factories.person()
    factories.invitation(event, waiting, answer="yes", place="waitlisted")
    factories.invitation(event, declined, answer="no")
    factories.invitation(event, revoked, answer="yes", place="confirmed", revoked=True)
    walk_in = factories.person()
    db.session.add_all([Attendance(event=event, person=seated[0].person),
                        Attendance(event=event, person=walk_in, walk_in=True)])
    db.session.commit()

    assert {p.id for p in plans.people_to_seat(event, "confirmed")} == {p.id for p in seated}
    assert {p.id for p in plans.people_to_seat(event, "checked_in")} == {seated[0].id, walk_in.id}


def test_the_problem_carries_attributes_facilitators_pairs_and_the_step_free_table(app):
    group, facilitator, event, seated = _room(people=6)
    seated[2].record.access_needs = "Wheelchair user"
    factories.invitation(event, facilitator, answer="yes", place="confirmed")
    db.session.commit()
    people = plans.people_to_seat(event, "confirmed")
    absent = factories.person()
    problem = plans.build_problem(event, _choices(tables=(4, 4), accessible_table=2,
                                                  apart=[(seated[0].id, seated[1].id), (seated[0].id, absent.id)],
                                                  together=[(seated[3].id, seated[4].id)]), people)

    by_id = {p.id: p for p in problem.people}
    first = by_id[str(seated[0].id)].attributes
    assert first["organisation"] == seated[0].organisation.name
    assert first["sector"] == "acute" and first["profession"] == "nursing" and first["place"] == "Thurrock"
    assert by_id[str(facilitator.id)].is_facilitator  # the community's facilitator, by default
    assert not by_id[str(seated[0].id)].is_facilitator
    assert problem.apart == [(str(seated[0].id), str(seated[1].id))]  # the pair naming someone absent is dropped
    assert problem.together == [(str(seated[3].id), str(seated[4].id))]
    assert problem.pinned == [mixing.Pin(str(seated[2].id), 1, None)]


def test_met_before_comes_from_earlier_plans_in_use_of_the_same_community_only(app):
    group, _, event, seated = _room(people=6, starts_at=datetime(2026, 12, 8, 18))
    a, b, c, d = seated[:4]

    def plan_for(happening, status, tables):
        plan = SeatingPlan(event=happening, version=1, settings={"tables": [4, 4], "rounds": 1}, score={},
                           status=status)
        plan.seats = [Seat(person_id=p.id, round=1, table=t) for t, people in enumerate(tables, 1) for p in people]
        db.session.add(plan)

    earlier = factories.event(group, starts_at=datetime(2026, 11, 10, 18))
    plan_for(earlier, "printed", [[a, b], [c]])
    plan_for(factories.event(group, starts_at=datetime(2026, 10, 13, 18)), "draft", [[a, c]])  # never used
    plan_for(factories.event(group, starts_at=datetime(2027, 1, 12, 18)), "current", [[a, d]])  # later
    plan_for(factories.event(factories.community(), starts_at=datetime(2026, 9, 8, 18)), "current", [[b, c]])
    db.session.commit()

    # Four weeks before: weight 8 halved every 91 days, rounded.
    assert plans.met_before_pairs(event, [p.id for p in seated]) == {tuple(sorted((a.id, b.id))): 6}
    problem = plans.build_problem(event, _choices(), plans.people_to_seat(event, "confirmed"))
    assert problem.met_before == [(str(min(a.id, b.id)), str(max(a.id, b.id)), 6)]


def test_history_weighs_recent_and_frequent_table_mates_far_more_than_old_ones():
    last_month, a_year_ago, two_years_ago = plans.history_weight([30]), plans.history_weight([365]), \
        plans.history_weight([730])
    assert last_month == 6 and a_year_ago == 1 and two_years_ago == 1
    assert plans.history_weight([30, 61, 91]) > 3 * a_year_ago * 4  # monthly table-mates weigh most
    assert plans.history_weight([30, 30]) == 2 * 6 + 1  # every round they shared counts


# --- generating and versions ----------------------------------------------------------------------


def test_generating_stores_a_version_and_a_second_never_replaces_the_plan_in_use(app):
    group, facilitator, event, seated = _room(people=12)
    first = plans.generate(event, _choices(), facilitator, BUDGET)
    db.session.commit()

    assert (first.version, first.status) == (1, "current")
    assert len(first.seats) == 12 * 2
    for round_ in (1, 2):
        assert sorted(s.person_id for s in first.seats if s.round == round_) == sorted(p.id for p in seated)
    assert first.score["hard_violations"] == 0
    assert first.settings["tables"] == [4, 4, 4] and first.settings["rounds"] == 2

    second = plans.generate(event, _choices(rounds=3), facilitator, BUDGET)
    db.session.commit()
    assert (second.version, second.status) == (2, "draft")
    assert plans.plan_in_use(event).id == first.id

    plans.make_current(second)
    db.session.commit()
    assert plans.plan_in_use(event).id == second.id and first.status == "draft"


def test_a_printed_plan_is_kept_when_another_version_is_made_current(app):
    group, facilitator, event, seated = _room(people=8)
    first = plans.generate(event, _choices(tables=(4, 4)), facilitator, BUDGET)
    plans.mark_printed(first)
    second = plans.generate(event, _choices(tables=(4, 4), rounds=1), facilitator, BUDGET)
    plans.make_current(second)
    db.session.commit()
    assert first.printed_at is not None and first.status == "draft" and second.status == "current"
    plans.make_current(first)  # back to the version on paper
    assert first.status == "printed" and second.status == "draft"


def test_a_problem_the_engine_refuses_saves_nothing(app):
    group, facilitator, event, seated = _room(people=8)
    with pytest.raises(plans.SeatingRefused, match="8 people to seat but only 6 seats"):
        plans.generate(event, _choices(tables=(3, 3)), facilitator, BUDGET)
    apart_in_group = _choices(tables=(4, 4), apart=[(seated[0].id, seated[1].id)],
                              together=[(seated[0].id, seated[1].id)])
    with pytest.raises(plans.SeatingRefused, match="cannot be made"):
        plans.generate(event, apart_in_group, facilitator, BUDGET)
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(SeatingPlan)).scalar_one() == 0


def test_the_step_free_table_holds_wheelchair_users_in_every_round(app):
    group, facilitator, event, seated = _room(people=12)
    seated[5].record.access_needs = "wheelchair user: step-free access please"
    db.session.commit()
    plan = plans.generate(event, _choices(rounds=3, accessible_table=3), facilitator, BUDGET)
    assert [_seats(plan)[(seated[5].id, r)] for r in (1, 2, 3)] == [3, 3, 3]


# --- hand changes, locks and re-seating -------------------------------------------------------------


def test_moving_and_swapping_change_the_seats_and_rescore(app):
    group, facilitator, event, seated = _room(people=10)
    plan = plans.generate(event, _choices(tables=(4, 4, 4)), facilitator, BUDGET)
    db.session.commit()
    seats = _seats(plan)
    someone = seated[0]
    free_table = next(t for t in (1, 2, 3) if t != seats[(someone.id, 1)]
                      and sum(1 for s in plan.seats if s.round == 1 and s.table == t) < 4)

    moved = plans.move_person(plan, someone.id, 1, free_table, facilitator)
    assert moved.id == plan.id and _seats(plan)[(someone.id, 1)] == free_table
    problem = plans.build_problem(event, plans.SeatingChoices.from_settings(plan.settings), plans.seated_people(plan))
    assert plan.score == mixing.score_plan(problem, plans.rounds_of(plan)).to_dict()

    other = next(p for p in seated if _seats(plan)[(p.id, 2)] != _seats(plan)[(someone.id, 2)])
    before = _seats(plan)
    plans.swap_people(plan, someone.id, other.id, 2, facilitator)
    after = _seats(plan)
    assert after[(someone.id, 2)] == before[(other.id, 2)] and after[(other.id, 2)] == before[(someone.id, 2)]
    assert plan.score == mixing.score_plan(problem, plans.rounds_of(plan)).to_dict()
    unchanged = {k: v for k, v in after.items() if k not in ((someone.id, 2), (other.id, 2))}
    assert unchanged == {k: v for k, v in before.items() if k not in ((someone.id, 2), (other.id, 2))}


def test_a_move_to_a_full_table_is_refused(app):
    group, facilitator, event, seated = _room(people=8)
    plan = plans.generate(event, _choices(tables=(4, 4), rounds=1), facilitator, BUDGET)
    table = _seats(plan)[(seated[0].id, 1)]
    with pytest.raises(plans.SeatingRefused, match="full"):
        plans.move_person(plan, seated[0].id, 1, 3 - table, facilitator)


def test_changing_a_printed_plan_saves_a_new_version_and_keeps_the_printed_one(app):
    group, facilitator, event, seated = _room(people=8)
    plan = plans.generate(event, _choices(tables=(4, 4), rounds=1), facilitator, BUDGET)
    plans.mark_printed(plan)
    printed_seats = _seats(plan)
    other = next(p for p in seated if printed_seats[(p.id, 1)] != printed_seats[(seated[0].id, 1)])
    changed = plans.swap_people(plan, seated[0].id, other.id, 1, facilitator)
    db.session.commit()
    assert changed.version == 2 and changed.status == "current"
    assert _seats(plan) == printed_seats and plan.status == "draft" and plan.printed_at is not None
    assert _seats(changed)[(seated[0].id, 1)] == printed_seats[(other.id, 1)]


def test_locked_tables_and_people_stay_where_they_are(app):
    group, facilitator, event, seated = _room(people=12)
    plan = plans.generate(event, _choices(rounds=3), facilitator, BUDGET)
    before = _seats(plan)
    loner = next(p for p in seated if before[(p.id, 1)] != 2)
    again = plans.regenerate_around(plan, [2], [loner.id], facilitator, plans.Budget(iterations=2000))
    db.session.commit()
    after = _seats(again)
    assert again.version == 2 and again.settings["locked_tables"] == [2]
    for (person_id, round_), table in before.items():
        if table == 2 or person_id == loner.id:
            assert after[(person_id, round_)] == table
    assert sorted(s.person_id for s in again.seats if s.round == 1) == sorted(p.id for p in seated)


def test_re_seating_on_the_night_moves_only_the_people_it_must(app):
    group, facilitator, event, seated = _room(people=12)
    plan = plans.generate(event, _choices(tables=(5, 5, 5), rounds=2), facilitator, BUDGET)
    db.session.commit()
    no_show = seated[0]
    late = factories.person(name="Quin Late")
    db.session.add_all([Attendance(event=event, person=p.person) for p in seated[1:]])
    db.session.add(Attendance(event=event, person=late, walk_in=True))
    db.session.commit()

    report = plans.reseat_from_check_in(event, facilitator, BUDGET)
    db.session.commit()
    after = _seats(report.plan)
    before = _seats(plan)
    assert report.moves == 0
    assert [p.id for p in report.arrived] == [late.id] and [p.id for p in report.absent] == [no_show.id]
    assert all(after[(p.id, r)] == before[(p.id, r)] for p in seated[1:] for r in (1, 2))
    assert all((no_show.id, r) not in after for r in (1, 2))
    # The late arrival fills the gap the no-show left (table sizes stay even).
    assert [after[(late.id, r)] for r in (1, 2)] == [before[(no_show.id, r)] for r in (1, 2)]
    assert report.plan.status == "current" and plan.status == "draft" and report.plan.version == 2


# --- over HTTP --------------------------------------------------------------------------------------


def _form(**fields):
    data = {"source": "confirmed", "tables": "4, 4, 4", "rounds": "2", "mix_1": "organisation", "mix_2": "sector",
            "mix_3": "profession", "mix_4": "place", "apart": "", "together": "", "accessible_table": ""}
    data.update(fields)
    return data


def test_the_facilitator_generates_sees_and_moves_in_the_browser_without_javascript(app):
    group, facilitator, event, seated = _room(people=10)
    client = _client_as(app, facilitator)
    page = client.get(f"/events/{event.id}/seating")
    assert page.status_code == 200 and "Generate a plan" in page.text

    response = client.post(f"/events/{event.id}/seating", data=_form(apart=f"{seated[0].email}, {seated[4].email}"))
    assert response.status_code == 302
    plan = db.session.execute(select(SeatingPlan)).scalar_one()
    assert plan.settings["apart"] == [[seated[0].id, seated[4].id]]
    seats = _seats(plan)
    assert all(seats[(seated[0].id, r)] != seats[(seated[4].id, r)] for r in (1, 2))

    page = client.get(response.headers["Location"])
    assert "Round 2, table 3" in page.text and seated[0].organisation.name in page.text
    assert "Nobody sits with the same person twice" in page.text or "share a table again" in page.text

    free = next(t for t in (1, 2, 3) if t != seats[(seated[1].id, 1)]
                and sum(1 for s in plan.seats if s.round == 1 and s.table == t) < 4)
    response = client.post(f"/events/{event.id}/seating/move", data={
        "version": plan.version, "person": seated[1].id, "round": 1, "table": free})
    assert response.status_code == 302
    db.session.expire_all()
    assert _seats(plan)[(seated[1].id, 1)] == free

    other = next(p for p in seated if _seats(plan)[(p.id, 2)] != _seats(plan)[(seated[1].id, 2)])
    old = _seats(plan)
    response = client.post(f"/events/{event.id}/seating/move", data={
        "version": plan.version, "person": seated[1].id, "swap_with": other.id, "round": 2})
    assert response.status_code == 302
    db.session.expire_all()
    assert _seats(plan)[(seated[1].id, 2)] == old[(other.id, 2)]


@pytest.mark.parametrize("fields, field_id, message", [
    ({"tables": "lots"}, "tables", "Enter the seats at each table"),
    ({"tables": "0, 4"}, "tables", "Each table seats from 1 to 30 people"),
    ({"rounds": "9"}, "rounds", "from 1 to 6"),
    ({"rounds": "abc"}, "rounds", "from 1 to 6"),
    ({"mix_2": "organisation"}, "mix_2", "Choose each thing to mix by once"),
    ({"apart": "nobody@example.org, someone@example.org"}, "apart", "is not among the people"),
    ({"accessible_table": "7"}, "accessible_table", "There are only 3 tables"),
])
def test_bad_input_on_the_form_shows_field_errors_and_saves_nothing(app, fields, field_id, message):
    group, facilitator, event, seated = _room(people=6)
    client = _client_as(app, facilitator)
    response = client.post(f"/events/{event.id}/seating", data=_form(**fields))
    assert response.status_code == 400
    assert message in response.text and f'href="#{field_id}"' in response.text
    assert db.session.execute(select(func.count()).select_from(SeatingPlan)).scalar_one() == 0


def test_a_refused_plan_shows_why_on_the_form_and_saves_nothing(app):
    group, facilitator, event, seated = _room(people=6)
    client = _client_as(app, facilitator)
    response = client.post(f"/events/{event.id}/seating", data=_form(tables="2, 2"))
    assert response.status_code == 400
    assert "6 people to seat but only 4 seats" in response.text and "Nothing has been saved" in response.text
    assert db.session.execute(select(func.count()).select_from(SeatingPlan)).scalar_one() == 0


def test_bad_moves_answer_400_and_change_nothing(app):
    group, facilitator, event, seated = _room(people=8)
    plan = plans.generate(event, _choices(tables=(4, 4), rounds=1), facilitator, BUDGET)
    db.session.commit()
    before = _seats(plan)
    client = _client_as(app, facilitator)
    full = 3 - before[(seated[0].id, 1)]
    for data, message in (
        ({"version": plan.version, "person": seated[0].id, "round": 1, "table": full}, f"Table {full} is full"),
        ({"version": plan.version, "person": seated[0].id, "round": 1, "table": "x"}, "Enter a table number, like 3"),
        ({"version": plan.version, "person": "", "round": 1, "table": 1}, "Choose the person"),
        ({"version": plan.version, "person": seated[0].id, "swap_with": seated[0].id, "round": 1}, "two different"),
    ):
        response = client.post(f"/events/{event.id}/seating/move", data=data)
        assert response.status_code == 400 and message in response.text
    db.session.expire_all()
    assert _seats(plan) == before


class _Ids(HTMLParser):
    """Every id attribute, every label's `for`, every in-page link and aria-describedby on the page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.pointers = Counter(), []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if tag == "label" and attrs.get("for"):
            self.pointers.append(attrs["for"])
        if tag == "a" and (attrs.get("href") or "").startswith("#") and len(attrs["href"]) > 1:
            self.pointers.append(attrs["href"][1:])
        self.pointers += (attrs.get("aria-describedby") or "").split()


def test_the_plan_page_has_no_duplicate_ids_and_every_label_and_error_link_finds_its_field(app):
    group, facilitator, event, seated = _room(people=8)
    plan = plans.generate(event, _choices(tables=(4, 4), rounds=2), facilitator, BUDGET)
    plan = plans.regenerate_around(plan, [1], [seated[0].id], facilitator, BUDGET)  # the unlock forms show too
    db.session.commit()
    client = _client_as(app, facilitator)
    full = 3 - _seats(plan)[(seated[1].id, 1)]
    for response in (
        client.get(f"/events/{event.id}/seating"),
        # Errors on the move and the swap form at once are not possible; each shows its error summary.
        client.post(f"/events/{event.id}/seating/move",
                    data={"version": plan.version, "person": seated[1].id, "round": 1, "table": full}),
        client.post(f"/events/{event.id}/seating/move",
                    data={"version": plan.version, "person": "", "swap_with": seated[2].id, "round": ""}),
    ):
        assert response.status_code in (200, 400)
        page = _Ids(response.text)
        assert [i for i, n in page.ids.items() if n > 1] == []
        assert {"move-person", "swap-person", "lock-person", "move-round", "swap-round", "move-table",
                "lock-table", "move-form", "swap-form"} <= set(page.ids)
        assert [p for p in page.pointers if p not in page.ids and p != "maincontent"] == []


def test_re_seat_and_make_current_over_http(app):
    group, facilitator, event, seated = _room(people=8)
    client = _client_as(app, facilitator)
    assert client.post(f"/events/{event.id}/seating/reseat").status_code == 302  # no plan yet: told so
    assert db.session.execute(select(func.count()).select_from(SeatingPlan)).scalar_one() == 0
    client.post(f"/events/{event.id}/seating", data=_form(tables="4, 4"))
    client.post(f"/events/{event.id}/seating", data=_form(tables="4, 4", rounds="1"))
    assert plans.plan_in_use(event).version == 1
    assert client.post(f"/events/{event.id}/seating/versions/2/current").status_code == 302
    db.session.expire_all()
    assert plans.plan_in_use(event).version == 2

    db.session.add_all([Attendance(event=event, person=p.person) for p in seated[:7]])
    db.session.commit()
    response = client.post(f"/events/{event.id}/seating/reseat", follow_redirects=True)
    assert "1 not here taken off" in response.text
    db.session.expire_all()
    assert plans.plan_in_use(event).version == 3 and len(plans.plan_in_use(event).seats) == 7


def test_the_night_s_actions_come_before_the_folded_rounds(app):
    """Issue 17, item 4: on a 20-table, three-round plan "Re-seat from check-in" was at the very bottom."""
    group, facilitator, event, seated = _room(people=12)
    plans.generate(event, plans.SeatingChoices(tables=[4, 4, 4], rounds=3), facilitator,
                   plans.Budget(iterations=200))
    db.session.commit()
    page = _client_as(app, facilitator).get(f"/events/{event.id}/seating").text
    reseat = page.index("Re-seat from check-in</button>")
    assert reseat < page.index('class="nhsuk-table cop-seating-table"')
    assert reseat < page.index("Move a person to another table") < page.index("Generate a new plan</h2>")
    assert all(f'href="#round-{n}"' in page for n in (1, 2, 3))  # a jump link per round
    assert page.count('<details class="nhsuk-details cop-round"') == 3  # rounds folded (no "open")


def test_the_plan_page_lists_the_seated_once_and_finds_people_by_name(app):
    """Issue 19: every person form on the page carried a select of everyone seated (740 KB at 600 people).
    The page lists them once, in a datalist the person fields share; a name, a label from the list or an
    e-mail address is found on the server, and a name two people share is refused with a reason."""
    group, facilitator, event, seated = _room(people=8)
    twin = factories.member(group, someone=factories.person(name=seated[2].name, org=seated[3].organisation))
    factories.invitation(event, twin, answer="yes", place="confirmed")
    db.session.commit()
    plan = plans.generate(event, _choices(tables=(5, 5), rounds=1, source="confirmed"), facilitator, BUDGET)
    db.session.commit()
    client = _client_as(app, facilitator)
    page = client.get(f"/events/{event.id}/seating").text
    assert page.count(f'<option value="{seated[0].name} ({seated[0].organisation.name})">') == 1
    assert page.count('list="seated-people"') == 4
    for someone in seated[:2] + seated[3:]:  # one option naming each on the whole page, however many forms
        assert len(re.findall(r"<option[^>]*>[^<]*" + re.escape(someone.name) + r"|<option[^>]*"
                              + re.escape(someone.name), page)) == 1

    before = _seats(plan)
    to = next(t for t in (1, 2) if t != before[(seated[1].id, 1)] and sum(1 for s in plan.seats if s.table == t) < 5)
    moved = client.post(f"/events/{event.id}/seating/move", data={
        "version": plan.version, "person": f"  {seated[1].name.upper()} ", "round": 1, "table": to})
    assert moved.status_code == 302
    db.session.expire_all()
    assert _seats(plan)[(seated[1].id, 1)] == to

    shared = client.post(f"/events/{event.id}/seating/move", data={
        "version": plan.version, "person": seated[2].name, "round": 1, "table": 1})
    assert shared.status_code == 400 and f"More than one person seated is called {seated[2].name}" in shared.text
    stranger = client.post(f"/events/{event.id}/seating/move", data={
        "version": plan.version, "person": "Nobody Atall", "round": 1, "table": 1})
    assert stranger.status_code == 400 and "Nobody Atall is not seated in this plan" in stranger.text
    by_email = client.post(f"/events/{event.id}/seating/locks", data={
        "version": plan.version, "action": "lock", "person": twin.email})
    assert by_email.status_code == 302
    db.session.expire_all()
    assert plan.settings["locked_people"] == [twin.id]
