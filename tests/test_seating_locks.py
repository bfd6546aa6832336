"""Locks on seating plans: stored on the version, carried into the next one, kept by regenerate and re-seat."""
import pytest

from cop.events.models import Attendance
from cop.extensions import db
from cop.seating import plans
from tests import factories
from tests.test_seating import BUDGET, _choices, _client_as, _room, _seats


def _lock(client, event, plan, action="lock", **what):
    return client.post(f"/events/{event.id}/seating/locks", data={"version": plan.version, "action": action, **what})


def test_locks_are_stored_and_carried_through_regenerate_and_re_seat(app):
    group, facilitator, event, seated = _room(people=12)
    plan = plans.generate(event, _choices(tables=(5, 5, 5), rounds=2), facilitator, BUDGET)
    db.session.commit()
    client = _client_as(app, facilitator)
    loner = next(p for p in seated if _seats(plan)[(p.id, 1)] != 2)
    assert _lock(client, event, plan, table=2).status_code == 302
    assert _lock(client, event, plan, person=loner.id).status_code == 302
    db.session.expire_all()
    assert plan.settings["locked_tables"] == [2] and plan.settings["locked_people"] == [loner.id]
    page = client.get(f"/events/{event.id}/seating?version={plan.version}").text
    assert "Unlock table 2" in page and f"Unlock {loner.name}" in page and "Locked</strong>" in page

    # Nothing more chosen: the stored locks are enough to re-generate around.
    response = client.post(f"/events/{event.id}/seating/regenerate", data={"version": plan.version})
    assert response.status_code == 302
    again = plans.plan_version(event, 2)
    before, after = _seats(plan), _seats(again)
    held = {key for key, table in before.items() if table == 2 or key[0] == loner.id}
    assert held and all(after[key] == before[key] for key in held)
    assert again.settings["locked_tables"] == [2] and again.settings["locked_people"] == [loner.id]
    plans.make_current(again)
    db.session.commit()

    # On the night: one unlocked person does not come, one stranger walks in; the locks hold.
    no_show = next(p for p in seated if (p.id, 1) not in held and p.id != loner.id)
    late = factories.person(name="Quin Late")
    db.session.add_all([Attendance(event=event, person=p.person) for p in seated if p.id != no_show.id])
    db.session.add(Attendance(event=event, person=late, walk_in=True))
    db.session.commit()
    report = plans.reseat_from_check_in(event, facilitator, BUDGET)
    db.session.commit()
    reseated = _seats(report.plan)
    assert report.plan.version == 3
    assert all(reseated[key] == after[key] for key in held if key[0] != no_show.id)
    assert report.plan.settings["locked_tables"] == [2] and report.plan.settings["locked_people"] == [loner.id]

    assert _lock(client, event, report.plan, action="unlock", table=2).status_code == 302
    assert _lock(client, event, report.plan, action="unlock", person=loner.id).status_code == 302
    db.session.expire_all()
    assert report.plan.settings["locked_tables"] == [] and report.plan.settings["locked_people"] == []
    # Without locks and without a choice, re-generating around nothing is refused.
    assert client.post(f"/events/{event.id}/seating/regenerate",
                       data={"version": report.plan.version}).status_code == 400


def test_bad_locks_answer_400_and_change_nothing(app):
    group, facilitator, event, seated = _room(people=8)
    plan = plans.generate(event, _choices(tables=(4, 4), rounds=1), facilitator, BUDGET)
    db.session.commit()
    client = _client_as(app, facilitator)
    outsider = factories.person()
    db.session.commit()
    both = _lock(client, event, plan, table=1, person=seated[0].id)
    assert both.status_code == 400 and "Choose a table or a person" in both.text
    assert _lock(client, event, plan).status_code == 400
    assert _lock(client, event, plan, table=9).status_code == 400
    assert _lock(client, event, plan, person=outsider.id).status_code == 400
    assert _lock(client, event, plan, action="explode", table=1).status_code == 400
    db.session.expire_all()
    assert not plan.settings.get("locked_tables") and not plan.settings.get("locked_people")


def _repeats(plan) -> int:
    """Pairs sharing a table in more than one round of the plan."""
    from collections import Counter

    tables: dict[tuple[int, int], list[int]] = {}
    for seat in plan.seats:
        tables.setdefault((seat.round, seat.table), []).append(seat.person_id)
    pairs = Counter(frozenset((a, b)) for people in tables.values() for a in people for b in people if a < b)
    return sum(count - 1 for count in pairs.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_re_seating_moves_nobody_who_is_here_and_adds_no_repeat(app, seed):
    """Issue 17, item 4: the no-shows' seats are filled by the walk-ins, and nobody else moves (it moved 3-20
    and added 2-6 repeats)."""
    from cop.door import check_in as door

    group, facilitator, event, seated = _room(people=16)
    base = plans.generate(event, _choices(tables=(4, 4, 4, 4, 4, 4), rounds=3, seed=seed), facilitator, BUDGET)
    db.session.commit()
    assert _repeats(base) == 0
    no_shows = seated[seed:seed + 2]
    for person in seated:
        if person not in no_shows:
            door.check_in(event, person.person)
    arrivals = [door.add_walk_in(event, door.WalkIn(f"Walk In {n}", f"walk{n}.{seed}@example.org", "Grays Library"))[1]
                for n in range(2)]
    db.session.commit()
    before = _seats(base)
    report = plans.reseat_from_check_in(event, facilitator, BUDGET)
    db.session.commit()
    after = _seats(report.plan)
    assert report.moves == 0
    assert {k: v for k, v in after.items() if k[0] not in {p.id for p in arrivals}} == \
        {k: v for k, v in before.items() if k[0] not in {p.id for p in no_shows}}
    assert all((p.id, r) in after for p in arrivals for r in (1, 2, 3))
    assert _repeats(report.plan) == 0  # the walk-ins too sit with new people each round


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_locked_table_with_a_free_seat_keeps_exactly_its_people(app, seed):
    group, facilitator, event, seated = _room(people=14)
    base = plans.generate(event, _choices(tables=(5, 5, 5), rounds=2, seed=seed), facilitator, BUDGET)
    db.session.commit()
    before = _seats(base)
    short = next(t for t in (1, 2, 3) if sum(1 for (p, r), table in before.items() if r == 1 and table == t) < 5)
    again = plans.regenerate_around(base, [short], [], facilitator, BUDGET)
    db.session.commit()
    after = _seats(again)
    for round_ in (1, 2):
        kept = {p for (p, r), table in before.items() if r == round_ and table == short}
        assert {p for (p, r), table in after.items() if r == round_ and table == short} == kept


def test_no_shows_at_one_table_move_nobody_to_even_the_tables(app):
    """Three no-shows from one table: the engine used to move people from other tables to even them."""
    from cop.door import check_in as door

    group, facilitator, event, seated = _room(people=20)
    base = plans.generate(event, _choices(tables=(5, 5, 5, 5), rounds=2, seed=4), facilitator, BUDGET)
    db.session.commit()
    before = _seats(base)
    no_shows = {p for (p, r), table in before.items() if r == 1 and table == 1}
    no_shows = set(sorted(no_shows)[:3])
    for person in seated:
        if person.id not in no_shows:
            door.check_in(event, person.person)
    db.session.commit()
    report = plans.reseat_from_check_in(event, facilitator, BUDGET)
    db.session.commit()
    assert report.moves == 0
    assert _seats(report.plan) == {k: v for k, v in before.items() if k[0] not in no_shows}
    lines = dict(plans.score_in_words(report.plan.score, ["organisation"]))
    assert "Rules" not in lines and "nobody is moved just to even them" in lines["Table sizes"]
