"""Issue 18: `cop seating-problem EVENT_ID` prints the problem the facilitator's form solves, and the plan
the app stores is the engine's plan for that JSON (same seating, same figures)."""
import json
from datetime import datetime

from cop import mixing
from cop.extensions import db
from cop.seating import plans
from cop.seating.models import Seat, SeatingPlan
from tests import factories
from tests.test_seating import _client_as, _form, _room


def test_the_cli_prints_the_forms_problem_and_it_reproduces_the_stored_plan(app, monkeypatch):
    group, facilitator, event, seated = _room(people=12, starts_at=datetime(2026, 12, 8, 18))
    earlier = factories.event(group, starts_at=datetime(2026, 11, 10, 18))
    history = SeatingPlan(event=earlier, version=1, settings={"tables": [6, 6], "rounds": 1}, score={},
                          status="current")
    history.seats = [Seat(person_id=p.id, round=1, table=1 + n % 2) for n, p in enumerate(seated)]
    db.session.add(history)
    db.session.commit()

    solved = []
    solve = mixing.solve
    monkeypatch.setattr(mixing, "solve", lambda problem, **kw: solved.append(problem) or solve(problem, **kw))
    client = _client_as(app, facilitator)
    response = client.post(f"/events/{event.id}/seating", data=_form(
        facilitators=[str(seated[0].id)], apart=f"{seated[1].email}, {seated[2].email}", accessible_table="2"))
    assert response.status_code == 302
    [form_problem] = solved
    plan = plans.plan_in_use(event)

    result = app.test_cli_runner().invoke(args=["cop", "seating-problem", str(event.id)])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    assert exported == mixing.problem_to_dict(form_problem)
    assert exported["iterations"] == app.config["SEATING_ITERATIONS"] and exported["seed"] == 0
    assert exported["mix_by"] == ["organisation", "sector", "profession", "place"]
    assert exported["apart"] == [[str(seated[1].id), str(seated[2].id)]]
    assert [p["id"] for p in exported["people"] if p.get("role") == "facilitator"] == [str(seated[0].id)]
    assert len(exported["met_before"]) == 2 * 15 and all(w == 6 for *_, w in exported["met_before"])

    # The engine on the exported JSON makes the plan the app stored: same tables, same figures.
    again = mixing.solve(mixing.problem_from_dict(exported))
    assert [[sorted(t) for t in r] for r in again.rounds] == [[sorted(t) for t in r] for r in plans.rounds_of(plan)]
    assert mixing.plan_to_dict(again)["score"] == plan.score

    three = json.loads(app.test_cli_runner().invoke(args=["cop", "seating-problem", str(event.id), "--rounds", "3"])
                       .output)
    assert three["rounds"] == 3 and three["people"] == exported["people"]
    missing = app.test_cli_runner().invoke(args=["cop", "seating-problem", "999999"])
    assert missing.exit_code != 0 and "no event 999999" in missing.output


def test_the_score_panel_names_each_bound_honestly():
    score = {"hard_violations": 0, "repeats": 0, "met_before": 40, "met_before_sittings": 12,
             "excess": {"organisation": 3, "sector": 0}, "mean_new_contacts": 5.0,
             "lower_bounds": {"repeats": 0, "met_before": 2, "excess": {"organisation": 3, "sector": 0}}}
    lines = dict(plans.score_in_words(score, ["organisation", "sector"]))
    assert "no plan can do better" in lines["Mix of organisation"]
    assert "fewest possible" not in " ".join(lines.values())
    assert "12 times" in lines["Met at earlier events"] and "weighing 40" in lines["Met at earlier events"]
    assert "no plan can go below 2; that bound may not be reachable" in lines["Met at earlier events"]
    assert list(lines)[:4] == ["Meeting again tonight", "Mix of organisation", "Mix of sector", "Met at earlier events"]


def test_the_report_shows_the_seating_panels_figures(app):
    from html import escape

    group, facilitator, event, seated = _room(people=12)
    client = _client_as(app, facilitator)
    assert client.post(f"/events/{event.id}/seating", data=_form()).status_code == 302
    plan = plans.plan_in_use(event)
    lines = plans.score_in_words(plan.score, plan.settings["mix_by"])
    seating_page = client.get(f"/events/{event.id}/seating").text
    report_page = client.get(f"/events/{event.id}/report").text
    assert "The seating plan&#39;s score" in report_page or "The seating plan's score" in report_page
    for what, words in lines:
        assert escape(words) in seating_page and escape(words) in report_page, words


def test_on_the_demo_the_forms_plan_shows_the_engines_figures_on_the_exported_big_room(app_factory):
    """Issue 18's acceptance: the demo's upcoming Big Room, planned from the facilitator's form, has the
    same figures as `python -m cop.mixing` on `cop seating-problem`'s JSON, organisation excess at its bound."""
    from sqlalchemy import select

    from cop.accounts.models import Account
    from cop.demo import load_demo
    from cop.events.demo import UPCOMING_BIG_ROOM
    from cop.events.models import Event
    from cop.people.models import Person
    from cop.seating.forms import describe_tables
    from tests.conftest import sign_in

    app = app_factory(SEATING_ITERATIONS=60_000)
    with app.app_context():
        load_demo()
        event = db.session.execute(select(Event).where(Event.title == UPCOMING_BIG_ROOM)).scalar_one()
        exported = json.loads(app.test_cli_runner().invoke(args=["cop", "seating-problem", str(event.id)]).output)
        choices = plans.form_choices(event)
        emails = {p.id: p.email for p in plans.people_to_seat(event, "confirmed")}
        client = app.test_client()
        sign_in(client, db.session.execute(select(Account).join(Person).where(
            Person.email == "rachel.okoye@mse-icb.nhs.example")).scalar_one())
        mix = choices.mix_by + [""] * (4 - len(choices.mix_by))
        response = client.post(f"/events/{event.id}/seating", data={
            "source": choices.source, "tables": describe_tables(choices.tables), "rounds": str(choices.rounds),
            "mix_1": mix[0], "mix_2": mix[1], "mix_3": mix[2], "mix_4": mix[3],
            "facilitators": [str(i) for i in choices.facilitator_ids or []],
            "apart": "\n".join(", ".join(emails[i] for i in pair) for pair in choices.apart),
            "together": "\n".join(", ".join(emails[i] for i in group) for group in choices.together),
            "accessible_table": str(choices.accessible_table or "")})
        # The demo's Big Room is over PLAN_IN_BACKGROUND_OVER: a job seats it (issue 19), as a worker would here.
        assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
        from cop.jobs import queue

        assert queue.work_once(app)
        db.session.expire_all()
        made = db.session.execute(select(SeatingPlan).where(SeatingPlan.event_id == event.id)
                                  .order_by(SeatingPlan.version.desc()).limit(1)).scalar_one()
        engine = mixing.solve(mixing.problem_from_dict(exported))
        assert mixing.plan_to_dict(engine)["score"] == made.score
        assert made.score["excess"]["organisation"] == made.score["lower_bounds"]["excess"]["organisation"] == 0
        assert made.score["repeats"] == 0 and made.score["hard_violations"] == 0
