"""Faults: the database connection dropped in the middle of a request, and the mail worker
killed in the middle of a batch. Real PostgreSQL, a real SMTP server, a real worker process."""
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from cop.extensions import db
from cop.invitations.models import Invitation
from cop.mail.models import OutboxMessage
from cop.mail.outbox import queue_mail
from tests import factories
from tests.invitation_helpers import make_event, make_invitation
from tests.smtp import smtp_server  # noqa: F401  (the fixture)
from tests.test_outbox_smtp import outbox_ids

ROOT = Path(__file__).resolve().parent.parent


def _terminate_from_another_connection(database_url: str, pid: int) -> None:
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    admin.dispose()


@pytest.fixture
def production_like_app(app_factory, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    # Not TESTING: errors become the 500 page a visitor would see, not exceptions in the test.
    app = app_factory(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        yield app


def test_connections_killed_between_requests_are_replaced_before_use(production_like_app, database_url):
    client = production_like_app.test_client()
    assert client.get("/healthz").status_code == 200  # the pool now holds a connection
    db.session.remove()
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    admin.dispose()
    assert killed >= 1  # every connection the app's pool holds is dead now
    # pool_pre_ping finds the dead connection and opens another: the visitor sees nothing.
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_a_connection_killed_mid_rsvp_fails_cleanly_and_the_retry_counts_once(production_like_app, database_url):
    group = factories.community()
    factories.member(group, "organiser")
    guest = factories.member(group)
    happening = make_event(group, capacity=5)
    invitation, token = make_invitation(happening, guest)
    db.session.commit()
    invitation_id, event_id, title = invitation.id, happening.id, happening.title
    db.session.remove()

    killed = []

    def kill_own_connection_at_the_event_lock(conn, cursor, statement, parameters, context, executemany):
        # The RSVP locks the event row first; the connection dies there, inside the transaction.
        if not killed and "FOR UPDATE" in statement:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            _terminate_from_another_connection(database_url, pid)
            killed.append(pid)

    sa_event.listen(db.engine, "before_cursor_execute", kill_own_connection_at_the_event_lock)
    client = production_like_app.test_client()
    try:
        failed = client.post(f"/rsvp/{token}", data={"answer": "yes", "attendance_mode": "in_person"})
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", kill_own_connection_at_the_event_lock)
    assert killed, "the connection was not killed"
    page = failed.get_data(as_text=True)
    assert failed.status_code == 500
    assert "Sorry, there is a problem with the service" in page and "Traceback" not in page
    db.session.remove()
    assert db.session.get(Invitation, invitation_id).answer == "pending"  # nothing half-written
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0

    retried = client.post(f"/rsvp/{token}", data={"answer": "yes", "attendance_mode": "in_person"})
    again = client.post(f"/rsvp/{token}", data={"answer": "yes", "attendance_mode": "in_person"})  # a double click
    assert (retried.status_code, again.status_code) == (302, 302)
    db.session.remove()
    answered = db.session.get(Invitation, invitation_id)
    assert (answered.answer, answered.place) == ("yes", "confirmed")
    assert db.session.scalar(select(func.count()).where(Invitation.event_id == event_id,
                                                        Invitation.place == "confirmed")) == 1
    assert db.session.scalars(select(OutboxMessage.subject)).all() == [f"Your place is confirmed: {title}"]


def _start_worker(database_url: str, smtp_port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(smtp_port), "MAIL_TIMEOUT": "5", "BASE_URL": "http://cop.test"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "cop", "worker", "--poll", "0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _sent() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).where(OutboxMessage.state == "sent"))


def test_a_worker_killed_mid_batch_and_restarted_loses_nothing_and_sends_nothing_twice(
        app, database_url, smtp_server):  # noqa: F811
    messages = [queue_mail(f"guest{i}@example.org", f"Message {i}", f"Body {i}") for i in range(30)]
    db.session.commit()
    ids = [message.id for message in messages]
    smtp_server.handler.data_delay = 0.1  # a slow relay: the worker spends its time waiting on it

    first = _start_worker(database_url, smtp_server.port)
    try:
        # SIGKILL while the server is working on the 11th message: no cleanup, no goodbye.
        _wait_for(lambda: smtp_server.handler.data_started >= 11, 60, "the 11th message to start")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    sent_before_restart = _sent()
    assert 8 <= sent_before_restart <= 10, sent_before_restart  # what the server accepted is recorded

    second = _start_worker(database_url, smtp_server.port)
    try:
        _wait_for(lambda: _sent() == len(ids), 60, "every message to be sent")
    finally:
        second.terminate()
        second.wait(timeout=10)
    received = Counter(outbox_ids(smtp_server.handler.message_ids()))
    assert sorted(received) == sorted(ids), "a message was lost"
    assert set(received.values()) == {1}, f"sent twice: {[i for i, n in received.items() if n > 1]}"
