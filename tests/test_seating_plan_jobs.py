"""Generating a seating plan for a big room as a job (issue 19): the request answers at once, a worker seats
the room, the page follows it, a second start is refused; small rooms are still seated in the request."""
import pytest
from sqlalchemy import func, select

from cop.extensions import db
from cop.jobs import queue
from cop.jobs.models import Job
from cop.seating.models import SeatingPlan
from tests import factories
from tests.test_seating import _client_as, _form, _room


@pytest.fixture
def jobs_app(app_factory, tmp_path):
    # Rooms of more than 10 people are seated by a job here (150 by default).
    app = app_factory(JOBS_BROKER_URL=f"sqlite:///{tmp_path / 'jobs.sqlite'}", JOBS_MAIL_AFTER_SECONDS=3600,
                      PLAN_IN_BACKGROUND_OVER=10)
    with app.app_context():
        yield app


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_big_room_is_seated_by_a_job_that_the_seating_page_links_to(jobs_app):
    group, facilitator, event, seated = _room(people=12)
    client = _client_as(jobs_app, facilitator)

    started = client.post(f"/events/{event.id}/seating", data=_form())
    assert started.status_code == 303
    job = db.session.execute(select(Job)).scalar_one()
    assert started.headers["Location"].endswith(f"/jobs/{job.id}") and job.kind == "seating_plan"
    assert _count(SeatingPlan) == 0  # nothing seated in the request
    assert "Seating plan for" in job.title and "12 people" in job.title

    page = client.get(f"/events/{event.id}/seating")
    assert "A new seating plan is being made" in page.text and f'href="/jobs/{job.id}"' in page.text
    again = client.post(f"/events/{event.id}/seating", data=_form(), follow_redirects=True)
    assert "being made already" in again.text and _count(Job) == 1
    waiting = client.get(f"/jobs/{job.id}")
    assert "<progress" in waiting.text and "Waiting for a worker" in waiting.text

    assert queue.work_once(jobs_app)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.state == "done", job.message
    assert job.message == "Version 1 is the plan in use. 12 people seated."
    assert job.next_url.endswith(f"/events/{event.id}/seating?version=1")
    plan = db.session.execute(select(SeatingPlan)).scalar_one()
    assert plan.in_use and plan.created_by_id == facilitator.id
    assert {(s.person_id, s.round) for s in plan.seats} == {(p.id, r) for p in seated for r in (1, 2)}
    assert plan.settings["tables"] == [4, 4, 4] and plan.settings["mix_by"][0] == "organisation"
    done = client.get(f"/jobs/{job.id}")
    assert "Version 1 is the plan in use" in done.text and f'href="{job.next_url}"' in done.text
    assert "A new seating plan is being made" not in client.get(f"/events/{event.id}/seating").text


def test_a_plan_the_job_cannot_make_fails_in_plain_words_and_saves_nothing(jobs_app):
    group, facilitator, event, seated = _room(people=12)
    client = _client_as(jobs_app, facilitator)
    client.post(f"/events/{event.id}/seating", data=_form(tables="4, 4, 4"))
    for n in range(2):  # two more confirmed meanwhile: the job seats who is coming when it runs
        extra = factories.member(group, someone=factories.person(name=f"Gwenllïan Ó Dálaigh {n}"))
        factories.invitation(event, extra, answer="yes", place="confirmed")
    db.session.commit()
    assert queue.work_once(jobs_app)
    db.session.expire_all()
    job = db.session.execute(select(Job)).scalar_one()
    assert job.state == "failed" and "14 people to seat but only 12 seats" in job.message
    assert _count(SeatingPlan) == 0


def test_a_small_room_is_still_seated_in_the_request(jobs_app):
    group, facilitator, event, seated = _room(people=10)
    response = _client_as(jobs_app, facilitator).post(f"/events/{event.id}/seating", data=_form())
    assert response.status_code == 302 and "/jobs/" not in response.headers["Location"]
    assert _count(SeatingPlan) == 1 and _count(Job) == 0
