"""The outbox against a real SMTP server on 127.0.0.1: what arrives, outages, several workers."""
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cop.clock import utcnow
from cop.extensions import db
from cop.invitations.rsvp import answer_invitation
from cop.mail.models import OutboxMessage
from cop.mail.outbox import MAX_TRIES, deliver_due, queue_mail, resend
from tests import factories
from tests.conftest import sign_in
from tests.invitation_helpers import make_event, make_invitation
from tests.smtp import smtp_server  # noqa: F401  (the fixture)


@pytest.fixture
def smtp_app(app_factory, smtp_server):  # noqa: F811
    app = app_factory(**smtp_server.settings())
    with app.app_context():
        yield app


def queue(n: int, community_id=None) -> list[int]:
    messages = [queue_mail(f"guest{i}@example.org", f"Message {i}", f"Body {i}", community_id=community_id)
                for i in range(n)]
    db.session.commit()
    return [m.id for m in messages]


def outbox_ids(message_ids: list[str]) -> list[int]:
    return [int(mid.strip("<>").split("@")[0].removeprefix("outbox-")) for mid in message_ids]


def states() -> dict[str, int]:
    return dict(db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())


def test_a_confirmation_arrives_with_its_headers_parts_and_attachments(smtp_app, smtp_server):  # noqa: F811
    group = factories.community(slug="big-room")
    organiser = factories.member(group, "organiser")
    guest = factories.member(group)
    event = make_event(group, capacity=10)
    _invitation, token = make_invitation(event, guest)
    db.session.commit()
    answer_invitation(token, "yes")
    report = deliver_due()
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [message] = smtp_server.handler.messages()
    assert message["To"] == guest.email
    assert message["From"] == smtp_app.config["MAIL_DEFAULT_SENDER"]
    assert message["Reply-To"] == organiser.email
    assert message["Subject"].startswith("Your place is confirmed")
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_body(("plain",)).get_content().startswith(f"Hello {guest.name}")
    assert "http://cop.test/rsvp/" in message.get_body(("html",)).get_content()
    # The meeting is an alternative beside the text and HTML (where Outlook looks for it)...
    calendar = message.get_body(("calendar",))
    assert calendar.get_content_type() == "text/calendar" and calendar.get_param("method") == "REQUEST"
    body = calendar.get_content()
    assert "METHOD:REQUEST" in body and "ATTENDEE" in body and "ORGANIZER" in body
    # ...and a copy is attached as a file, typed so that no client takes it for a second meeting.
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert attachments["invite.ics"].get_content_type() == "application/ics"
    assert attachments["invite.ics"].get_content().decode() == body
    png = attachments["check-in.png"]
    assert png.get_content_type() == "image/png" and png.get_content().startswith(b"\x89PNG")
    assert db.session.execute(select(OutboxMessage.state)).scalar_one() == "sent"


def test_a_refusing_server_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice(smtp_app, smtp_server):  # noqa: F811
    ids = queue(20)
    smtp_server.handler.accept_at_most = 7  # then 451 for everything: the server is in trouble
    first = deliver_due()
    assert (first.sent, first.retrying, first.failed) == (7, 13, 0)
    assert states() == {"sent": 7, "pending": 13}
    assert deliver_due().sent == 0  # nothing is due again before its backoff

    smtp_server.handler.accept_at_most = None  # recovered
    after = deliver_due(now=utcnow() + timedelta(minutes=2))
    assert (after.sent, after.retrying, after.failed) == (13, 0, 0)
    received = Counter(outbox_ids(smtp_server.handler.message_ids()))
    assert sorted(received) == sorted(ids) and set(received.values()) == {1}
    assert states() == {"sent": 20}


def test_a_server_that_goes_down_mid_batch_and_comes_back(smtp_app, smtp_server):  # noqa: F811
    ids = queue(12)
    assert deliver_due(limit=5).sent == 5
    smtp_server.stop()  # the connection the worker holds dies, and new ones are refused
    down = deliver_due()
    assert (down.sent, down.retrying) == (0, 7)
    errors = db.session.execute(select(OutboxMessage.last_error).where(OutboxMessage.state == "pending")).scalars()
    assert all(errors)
    smtp_server.start()
    assert deliver_due(now=utcnow() + timedelta(minutes=2)).sent == 7
    received = Counter(outbox_ids(smtp_server.handler.message_ids()))
    assert sorted(received) == sorted(ids) and set(received.values()) == {1}


def test_a_permanently_refused_message_fails_is_shown_and_can_be_resent(smtp_app, smtp_server):  # noqa: F811
    group = factories.community(slug="big-room")
    organiser = factories.member(group, "organiser")
    db.session.commit()
    [good, bad] = [queue_mail(address, "Hello", "Hello", community_id=group.id)
                   for address in ("good@example.org", "gone@example.org")]
    db.session.commit()
    smtp_server.handler.unknown_recipients = {"gone@example.org"}
    report = deliver_due()
    assert (report.sent, report.failed) == (1, 1)
    assert (bad.state, good.state) == ("failed", "sent") and "550" in bad.last_error

    client = smtp_app.test_client()
    sign_in(client, factories.account(organiser))
    page = client.get("/communities/big-room/outbox")
    assert b"gone@example.org" in page.data and b"Failed" in page.data and b"good@example.org" not in page.data
    smtp_server.handler.unknown_recipients = set()  # the address was fixed at the other end
    assert client.post(f"/communities/big-room/outbox/{bad.id}/resend").status_code == 302
    assert deliver_due().sent == 1
    db.session.expire_all()
    assert bad.state == "sent"
    assert sorted(m["To"] for m in smtp_server.handler.messages()) == ["gone@example.org", "good@example.org"]


def test_a_temporary_failure_that_never_ends_gives_up_after_the_last_try(smtp_app, smtp_server):  # noqa: F811
    [message_id] = queue(1)
    smtp_server.handler.refusing = True
    moment = utcnow()
    for _ in range(MAX_TRIES):
        deliver_due(now=moment)
        moment += timedelta(hours=2)
    message = db.session.get(OutboxMessage, message_id)
    assert (message.state, message.tries) == ("failed", MAX_TRIES) and "451" in message.last_error
    resend(message)
    db.session.commit()
    smtp_server.handler.refusing = False
    assert deliver_due().sent == 1


def test_several_workers_at_once_never_send_a_message_twice(smtp_app, smtp_server):  # noqa: F811
    if db.engine.dialect.name != "postgresql":
        pytest.skip("several workers need FOR UPDATE SKIP LOCKED: PostgreSQL (SQLite runs one worker)")
    ids = queue(150)
    smtp_server.handler.accept_at_most = 60  # a short outage in the middle, too
    errors = []

    def worker(moment_offset: int) -> None:
        try:
            with smtp_app.app_context():
                for round_number in range(3):
                    now = utcnow() + timedelta(minutes=10 * round_number)
                    while deliver_due(limit=10, now=now).sent:
                        pass
                    if round_number == 0:
                        barrier.wait()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    barrier = threading.Barrier(4, action=lambda: setattr(smtp_server.handler, "accept_at_most", None))
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    received = Counter(outbox_ids(smtp_server.handler.message_ids()))
    assert sorted(received) == sorted(ids) and set(received.values()) == {1}
    db.session.expire_all()
    assert states() == {"sent": 150}
