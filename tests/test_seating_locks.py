"""Locks on seating plans: stored on the version, carried into the next one, kept by regenerate and re-seat."""
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
