"""Jobs (issue 19): long work off the request on a real queue (Huey, a SQLite broker file of the test's
own), with progress, one at a time per subject, failures shown, cancel, mail when done, and a real worker
process killed mid-job losing nothing."""
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import g
from pypdf import PdfReader
from sqlalchemy import func, select

from cop.extensions import db
from cop.jobs import queue
from cop.jobs.models import Job
from cop.mail.models import OutboxMessage
from cop.people.models import Organisation
from cop.seating import plans
from cop.seating.models import SeatingPlan
from tests import factories
from tests.test_seating import BUDGET, _choices, _client_as, _room

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def jobs_app(app_factory, tmp_path):
    app = app_factory(JOBS_BROKER_URL=f"sqlite:///{tmp_path / 'jobs.sqlite'}", JOBS_MAIL_AFTER_SECONDS=3600)
    with app.app_context():
        yield app


def _job() -> Job:
    db.session.expire_all()
    return db.session.execute(select(Job)).scalar_one()


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_the_print_pack_is_made_by_a_job_with_a_progress_page_then_downloaded(jobs_app):
    group, facilitator, event, seated = _room(people=8)
    plans.generate(event, _choices(tables=(4, 4), rounds=2), facilitator, BUDGET)
    db.session.commit()
    client = _client_as(jobs_app, facilitator)

    started = client.post(f"/events/{event.id}/seating.pdf")
    assert started.status_code == 303
    job = _job()
    assert started.headers["Location"].endswith(f"/jobs/{job.id}") and job.state == "queued"
    waiting = client.get(f"/jobs/{job.id}")
    assert waiting.status_code == 200
    assert "<progress" in waiting.text and "data-job-running" in waiting.text  # job-progress.js follows it
    assert f'href="/jobs/{job.id}">Check progress</a>' in waiting.text  # without JavaScript: refresh by a link
    assert "Waiting for a worker" in waiting.text

    assert queue.work_once(jobs_app)
    job = _job()
    assert job.state == "done" and job.attempts == 1 and "9 pages" in job.message
    done = client.get(f"/jobs/{job.id}")
    assert "data-job-running" not in done.text and "The print pack is ready" in done.text
    assert db.session.execute(select(SeatingPlan)).scalar_one().status != "printed"  # not until downloaded

    pdf = client.post(f"/jobs/{job.id}/download")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and _pages(pdf.data) == 4 + 1 + 4
    db.session.expire_all()
    assert db.session.execute(select(SeatingPlan)).scalar_one().status == "printed"

    # The same plan again: the pack made once is offered at once, with no second job.
    again = client.post(f"/events/{event.id}/seating.pdf")
    assert again.headers["Location"].endswith(f"/jobs/{job.id}")
    assert db.session.scalar(select(func.count(Job.id))) == 1
    assert not queue.work_once(jobs_app)


def test_without_javascript_the_progress_page_refreshes_itself_only_when_asked(jobs_app):
    group, facilitator, event, seated = _room(people=8)
    plans.generate(event, _choices(tables=(4, 4), rounds=2), facilitator, BUDGET)
    db.session.commit()
    client = _client_as(jobs_app, facilitator)
    client.post(f"/events/{event.id}/seating.pdf")
    job = _job()

    unasked = client.get(f"/jobs/{job.id}")
    assert "Refresh" not in unasked.headers and "http-equiv" not in unasked.text.lower()
    assert f'href="/jobs/{job.id}?follow=1">Refresh this page every 2 seconds' in unasked.text
    following = client.get(f"/jobs/{job.id}?follow=1")
    assert following.headers["Refresh"] == "2"
    assert f'href="/jobs/{job.id}">Stop refreshing</a>' in following.text

    assert queue.work_once(jobs_app) and _job().state == "done"
    ended = client.get(f"/jobs/{job.id}?follow=1")
    assert "Refresh" not in ended.headers and "The print pack is ready" in ended.text  # nothing left to follow


def test_a_second_start_while_the_first_is_queued_is_refused_and_shown_the_first(jobs_app):
    group, facilitator, event, seated = _room(people=6)
    plans.generate(event, _choices(tables=(3, 3), rounds=1), facilitator, BUDGET)
    db.session.commit()
    client = _client_as(jobs_app, facilitator)
    first = client.post(f"/events/{event.id}/seating.pdf")
    second = client.post(f"/events/{event.id}/seating.pdf", follow_redirects=True)
    assert db.session.scalar(select(func.count(Job.id))) == 1
    assert "being made already" in second.text
    assert first.headers["Location"].endswith(f"/jobs/{_job().id}")


def test_only_the_community_staff_and_the_starter_see_a_job(jobs_app):
    group, facilitator, event, seated = _room(people=4)
    plans.generate(event, _choices(tables=(2, 2), rounds=1), facilitator, BUDGET)
    db.session.commit()
    _client_as(jobs_app, facilitator).post(f"/events/{event.id}/seating.pdf")
    job = _job()
    outsider = factories.member(factories.community(), "organiser")
    member = factories.member(group, "member")
    db.session.commit()
    clients = {}
    for someone in (outsider, member):
        g.pop("_login_user", None)  # the test's app context is shared by its requests: forget the last user
        clients[someone.id] = _client_as(jobs_app, someone)
        assert clients[someone.id].get(f"/jobs/{job.id}").status_code == 404
    g.pop("_login_user", None)
    assert clients[member.id].post(f"/jobs/{job.id}/cancel").status_code == 404
    g.pop("_login_user", None)

# --- failure and cancel: test kinds of job, run in this process ---------------------------------------


@queue.handles("test_writes_then_fails", failure="The test job failed, so nothing was changed.")
def _writes_then_fails(job, progress):
    db.session.add(Organisation(name="Written by a job that then failed", sector="vcse"))
    db.session.flush()
    progress.step("Half way", 1, 2)
    raise RuntimeError("boom")


@queue.handles("test_writes_in_steps")
def _writes_in_steps(job, progress):
    for number in range(3):
        db.session.add(Organisation(name=f"Written in step {number}", sector="vcse"))
        db.session.flush()
        progress.step(f"Step {number + 1} of 3", number + 1, 3)
    return queue.Outcome(message="Three organisations written.")


def test_a_failed_job_writes_nothing_says_so_and_is_logged(jobs_app, caplog):
    organiser = factories.member(factories.community(), "organiser")
    db.session.commit()
    job = queue.start("test_writes_then_fails", "A job that fails", {}, key="fails", community_id=None,
                      started_by=organiser)
    with caplog.at_level("ERROR", logger="cop.jobs"):
        assert queue.work_once(jobs_app)
    job = _job()
    assert (job.state, job.message, job.active_key) == ("failed", "The test job failed, so nothing was changed.", None)
    assert db.session.scalar(select(func.count(Organisation.id)).where(Organisation.name.like("Written%"))) == 0
    assert "job %s failed" % job.id in caplog.text and "boom" in caplog.text
    page = _client_as(jobs_app, organiser).get(f"/jobs/{job.id}")
    assert "This did not work" in page.text and "nothing was changed" in page.text
    # Ended, so the same work may be started again.
    queue.start("test_writes_then_fails", "A job that fails", {}, key="fails", community_id=None, started_by=organiser)


def test_a_cancelled_job_stops_at_its_next_step_and_writes_nothing(jobs_app):
    organiser = factories.member(factories.community(), "organiser")
    db.session.commit()
    client = _client_as(jobs_app, organiser)
    job = queue.start("test_writes_in_steps", "Steps", {}, key="steps", community_id=None, started_by=organiser)
    queue.broker().put(f"cop:cancel:{job.id}", True)  # as the Cancel button does while it runs
    db.session.execute(Job.__table__.update().values(state="running"))  # as if a worker had it already
    db.session.commit()
    assert queue.work_once(jobs_app)
    job = _job()
    assert job.state == "cancelled" and "nothing was changed" in job.message
    assert db.session.scalar(select(func.count(Organisation.id)).where(Organisation.name.like("Written%"))) == 0
    # A queued job is cancelled at once from its page.
    queued = queue.start("test_writes_in_steps", "Steps", {}, key="steps", community_id=None, started_by=organiser)
    assert "Cancel" in client.get(f"/jobs/{queued.id}").text
    client.post(f"/jobs/{queued.id}/cancel")
    db.session.expire_all()
    assert db.session.get(Job, queued.id).state == "cancelled"
    assert queue.work_once(jobs_app) and db.session.get(Job, queued.id).state == "cancelled"


def test_long_work_mails_the_person_who_started_it_when_done(app_factory, tmp_path):
    app = app_factory(JOBS_BROKER_URL=f"sqlite:///{tmp_path / 'jobs.sqlite'}", JOBS_MAIL_AFTER_SECONDS=0)
    with app.app_context():
        organiser = factories.member(factories.community(), "organiser")
        db.session.commit()
        job = queue.start("test_writes_in_steps", "Steps for the test", {}, key="steps", community_id=None,
                          started_by=organiser)
        queue.work_once(app)
        mail = db.session.execute(select(OutboxMessage)).scalar_one()
        assert mail.recipient == organiser.email and mail.subject == "Done: Steps for the test"
        assert f"http://cop.test/jobs/{job.id}" in mail.text_body
        assert db.session.scalar(select(func.count(Organisation.id)).where(Organisation.name.like("Written%"))) == 3


# --- a real worker process, killed mid-job ---------------------------------------------------------------


def _start_jobs_worker(database_url: str, broker_url: str) -> subprocess.Popen:
    # WeasyPrint draws the pack: seconds for 120 people, so the worker is surely killed mid-job (the direct
    # writer, the default, would have finished in a fraction of a second).
    env = {**os.environ, "DATABASE_URL": database_url, "JOBS_BROKER_URL": broker_url, "BASE_URL": "http://cop.test",
           "PRINT_RENDERER": "weasyprint"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "cop", "jobs-worker"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_jobs_worker_killed_mid_job_loses_nothing_and_the_job_is_done_once(app_factory, database_url, tmp_path):
    broker_url = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    app = app_factory(JOBS_BROKER_URL=broker_url, JOBS_MAIL_AFTER_SECONDS=3600, JOBS_STALL_SECONDS=1)
    with app.app_context():
        group = factories.community()
        facilitator = factories.member(group, "facilitator")
        organisations = [factories.organisation() for _ in range(8)]
        event = factories.event(group)
        for n in range(120):
            someone = factories.member(
                group, someone=factories.person(name=f"Guest Number {n}", org=organisations[n % 8]))
            factories.invitation(event, someone, answer="yes", place="confirmed")
        plans.generate(event, _choices(tables=[10] * 12, rounds=3), facilitator, BUDGET)
        db.session.commit()
        client = _client_as(app, facilitator)
        client.post(f"/events/{event.id}/seating.pdf")
        job_id = _job().id

        def rendering() -> bool:
            return "Rendering" in queue.progress_of(_job()).step

        first = _start_jobs_worker(database_url, broker_url)
        try:
            _wait_for(rendering, 60, "the worker to be rendering the pack")
            first.send_signal(signal.SIGKILL)  # no cleanup, no goodbye
            first.wait(timeout=10)
        finally:
            first.kill()
        job = _job()
        assert job.state == "running" and job.attempts == 1 and job.output_name is None
        assert job.active_key is not None  # still refuses a second start
        assert not [task for task in queue.broker().pending() if "run_job" in str(task)]  # the queue forgot it

        time.sleep(2.5)  # past JOBS_STALL_SECONDS with no heartbeat
        second = _start_jobs_worker(database_url, broker_url)  # requeues stalled jobs as it starts
        try:
            _wait_for(lambda: _job().state == "done", 120, "the job to be done by the second worker")
        finally:
            second.terminate()
            second.wait(timeout=10)
        job = _job()
        assert job.id == job_id and job.attempts == 2 and job.active_key is None
        assert _pages(db.session.execute(select(Job.output)).scalar_one()) > 40
        assert db.session.scalar(select(func.count(Job.id))) == 1


def test_the_production_broker_redis_carries_jobs_between_instances(app_factory):
    """Two apps (a web instance and a worker) on one Redis queue of the test's own name."""
    import uuid

    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings = {"JOBS_BROKER_URL": "redis://127.0.0.1:6379/0", "JOBS_QUEUE_NAME": f"cop-test-{uuid.uuid4().hex}",
                "JOBS_MAIL_AFTER_SECONDS": 3600}
    web, worker = app_factory(**settings), app_factory(**settings)
    try:
        with web.app_context():
            organiser = factories.member(factories.community(), "organiser")
            db.session.commit()
            job = queue.start("test_writes_in_steps", "Steps", {}, key="steps", community_id=None, started_by=organiser)
            job_id = job.id
        with worker.app_context():
            assert queue.work_once(worker)
            assert db.session.get(Job, job_id).state == "done"
            assert queue.progress_of(db.session.get(Job, job_id)).step == ""  # an ended job keeps nothing there
    finally:
        web.extensions["cop_jobs"].storage.flush_all()


# --- invitations to many people ----------------------------------------------------------------------------


def _community_to_invite(people: int):
    group = factories.community()
    organiser = factories.member(group, "organiser")
    organisation = factories.organisation()
    for n in range(people):
        factories.member(group, someone=factories.person(name=f"Invitee {n}", org=organisation))
    event = factories.event(group)
    db.session.commit()
    return group, organiser, event


def test_inviting_many_people_is_a_job_all_or_nothing_with_one_mail_each(app_factory, tmp_path):
    from cop.invitations.models import Invitation

    app = app_factory(JOBS_BROKER_URL=f"sqlite:///{tmp_path / 'jobs.sqlite'}", INVITE_IN_BACKGROUND_OVER=5,
                      JOBS_MAIL_AFTER_SECONDS=0)
    with app.app_context():
        group, organiser, event = _community_to_invite(12)
        client = _client_as(app, organiser)
        form = {"who": "everyone", "addresses": "", "action": "send"}
        started = client.post(f"/events/{event.id}/invite", data=form)
        assert started.status_code == 303 and "/jobs/" in started.headers["Location"]
        again = client.post(f"/events/{event.id}/invite", data=form, follow_redirects=True)
        assert "being sent already" in again.text  # a second click is shown the first run
        assert db.session.scalar(select(func.count(Job.id))) == 1
        assert db.session.scalar(select(func.count(Invitation.id))) == 0  # nothing yet: the request only queued

        assert queue.work_once(app)
        job = _job()
        assert job.state == "done" and job.message.startswith("13 invitations sent")  # the organiser too
        assert db.session.scalar(select(func.count(Invitation.id))) == 13
        subjects = db.session.scalars(select(OutboxMessage.subject)).all()
        assert subjects.count(f"You are invited: {event.title}") == 13
        assert f"Done: Invitations to {event.title} (13 people)" in subjects  # the organiser is told
        page = client.get(f"/jobs/{job.id}")
        assert "13 invitations sent" in page.text and f'href="/events/{event.id}/guests"' in page.text

        # The same again: planned afresh when it runs, so nobody is invited twice.
        client.post(f"/events/{event.id}/invite", data={**form, "who": "everyone"})
        assert db.session.scalar(select(func.count(Job.id))) == 1  # nobody new: refused before any job


def test_an_invitation_job_that_fails_half_way_invites_nobody(app_factory, tmp_path, monkeypatch):
    from cop.invitations import mails
    from cop.invitations.models import Invitation

    app = app_factory(JOBS_BROKER_URL=f"sqlite:///{tmp_path / 'jobs.sqlite'}", INVITE_IN_BACKGROUND_OVER=5)
    with app.app_context():
        group, organiser, event = _community_to_invite(10)
        client = _client_as(app, organiser)
        client.post(f"/events/{event.id}/invite", data={"who": "everyone", "addresses": "", "action": "send"})
        real, written = mails.mail_invitation, []

        def fails_at_the_seventh(invitation):
            if len(written) == 6:
                raise OSError("the disk is full")
            written.append(invitation)
            real(invitation)

        monkeypatch.setattr(mails, "mail_invitation", fails_at_the_seventh)
        assert queue.work_once(app)
        job = _job()
        assert job.state == "failed" and "nobody was invited" in job.message
        assert db.session.scalar(select(func.count(Invitation.id))) == 0
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


# --- a large guest-list import -----------------------------------------------------------------------------


def _guest_list(rows: int) -> bytes:
    return ("name,email,organisation,sector\n" + "".join(
        f"Imported Person {n},imported{n}@example.org,Organisation {n % 7},vcse\n" for n in range(rows))).encode()


def test_a_large_import_is_previewed_from_the_server_and_written_by_a_job(app_factory, tmp_path):
    from cop.communities.models import Membership

    app = app_factory(JOBS_BROKER_URL=f"sqlite:///{tmp_path / 'jobs.sqlite'}", IMPORT_IN_BACKGROUND_OVER=20)
    with app.app_context():
        group = factories.community(slug="big-room")
        organiser = factories.member(group, "organiser")
        db.session.commit()
        client = _client_as(app, organiser)
        data = _guest_list(300)
        preview = client.post("/communities/big-room/people/import", content_type="multipart/form-data",
                              data={"guest_list": (io.BytesIO(data), "guests.csv")})
        assert preview.status_code == 200 and "300 people will be added" in preview.text
        assert "imported99@example.org" in preview.text  # shown...
        assert preview.text.count("imported99@example.org") == 1  # ...but the file is not in the form
        assert "imported299@example.org" not in preview.text  # and the rest a page at a time
        upload_id = __import__("re").search(r'name="upload_id" type="hidden" value="(\d+)"', preview.text).group(1)

        # Another organiser cannot confirm someone else's upload.
        other = factories.member(group, "organiser")
        db.session.commit()
        g.pop("_login_user", None)
        assert _client_as(app, other).post("/communities/big-room/people/import/confirm",
                                           data={"upload_id": upload_id}).status_code == 400
        g.pop("_login_user", None)

        started = client.post("/communities/big-room/people/import/confirm", data={"upload_id": upload_id})
        assert started.status_code == 303 and "/jobs/" in started.headers["Location"]
        members = select(func.count(Membership.id)).where(Membership.community_id == group.id)
        assert db.session.scalar(members) == 2  # nothing written by the request
        assert queue.work_once(app)
        job = _job()
        assert job.state == "done" and job.message == "Imported the guest list: 300 added, 0 updated."
        assert db.session.scalar(members) == 302
