"""Calendar answers that count: Accept / Tentative / Decline in a calendar app mails an iTIP REPLY to the
invitation's reply address; the mail server delivers it to cop's inbound listener over LMTP (or SMTP),
and the answer is applied as on the RSVP page. Everything runs for real: the outbox sends the invitation
to an aiosmtpd capture, the REPLY is built from what arrived, and it is delivered over a socket."""
import os
import signal
import smtplib
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select

from cop.extensions import db
from cop.invitations import inviting
from cop.invitations.mails import new_personal_link
from cop.invitations.models import Invitation
from cop.invitations.rsvp import answer_invitation, places_taken
from cop.mail.inbound import start_listener
from cop.mail.models import OutboxMessage
from cop.mail.outbox import deliver_due
from tests import factories
from tests.invitation_helpers import make_event
from tests.mail_capture import by_recipient, calendar_part, read_calendar
from tests.smtp import free_port, smtp_server  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-secret-key-for-reply-addresses"
REPLY_ADDRESS = "replies@cop.test"


@pytest.fixture
def reply_app(app_factory, smtp_server):  # noqa: F811
    app = app_factory(**smtp_server.settings(), MAIL_REPLY_ADDRESS=REPLY_ADDRESS, SECRET_KEY=SECRET)
    with app.app_context():
        yield app


@pytest.fixture
def listener(reply_app):
    port = free_port()
    controller = start_listener(reply_app, "127.0.0.1", port, lmtp=True)
    yield controller
    controller.stop()


@pytest.fixture
def full_event(reply_app):
    """One place, three people invited through cop (so each gets a meeting request)."""
    group = factories.community(name="Cymuned Ymarfer")
    factories.member(group, "organiser", factories.person(name="Olu Organiser", email="olu@nhs.net"))
    people = [factories.member(group, someone=factories.person(name=name, email=email))
              for name, email in (("Siân Ellis", "sian@example.org"), ("Zoë Brown", "zoe@example.org"),
                                  ("Nnamdi Obi", "nnamdi@example.org"))]
    event = make_event(group, capacity=1, title="Noson Fawr — 🎉")
    db.session.commit()
    inviting.send_invitations(event, inviting.InvitePlan(people=people))
    db.session.commit()
    return event, people


def invitation_of(person) -> Invitation:
    db.session.expire_all()
    return db.session.execute(select(Invitation).where(Invitation.person_id == person.id)).scalar_one()


def meeting_request(smtp_server, person) -> dict:  # noqa: F811
    """The calendar of the last meeting request this person received."""
    deliver_due()
    messages = [m for m in by_recipient(smtp_server).get(person.email, []) if calendar_part(m) is not None]
    assert messages, f"no meeting request reached {person.email}"
    return read_calendar(messages[-1])


def outlook_reply(request: dict, attendee: str, partstat: str, stamp: datetime | None = None,
                  to: str | None = None) -> tuple[str, bytes]:
    """A REPLY as Outlook sends one: to the ORGANIZER, METHOD:REPLY, the UID and SEQUENCE, the attendee's PARTSTAT."""
    vevent = request["vevent"]
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REPLY")
    reply = icalendar.Event()
    reply.add("uid", str(vevent["UID"]))
    reply.add("sequence", int(vevent["SEQUENCE"]))
    reply.add("dtstamp", stamp or datetime.now(timezone.utc))
    reply.add("dtstart", vevent.decoded("DTSTART"))
    reply.add("dtend", vevent.decoded("DTEND"))
    reply.add("summary", f"Accepted: {vevent['SUMMARY']}")
    reply["organizer"] = vevent["ORGANIZER"]
    answer = icalendar.vCalAddress(f"mailto:{attendee}")
    answer.params["PARTSTAT"] = partstat
    reply.add("attendee", answer)
    calendar.add_component(reply)
    organizer = to or str(vevent["ORGANIZER"]).removeprefix("mailto:")
    mail = EmailMessage()
    mail["From"] = attendee
    mail["To"] = organizer
    mail["Subject"] = f"Accepted: {vevent['SUMMARY']}"
    mail.set_content(f"{partstat.title()}: I'll be there — diolch!")
    mail.add_alternative(calendar.to_ical().decode(), subtype="calendar", params={"method": "REPLY"})
    return organizer, mail.as_bytes(policy=policy.SMTP)


def deliver_reply(port: int, sender: str, recipient: str, raw: bytes, lmtp: bool = True) -> None:
    client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port, timeout=10)
    try:
        refused = client.sendmail(sender, [recipient], raw)
        assert refused == {}
    finally:
        client.quit()


def test_an_accept_in_outlook_takes_the_place_and_a_second_one_is_waitlisted(reply_app, smtp_server, listener,  # noqa: F811
                                                                            full_event):
    event, (sian, zoe, _) = full_event
    request = meeting_request(smtp_server, sian)
    assert request["part_method"] == request["body_method"] == "REQUEST"
    [asked] = request["js"]["attendees"]
    assert (asked["partstat"], asked["rsvp"]) == ("NEEDS-ACTION", "TRUE")  # an answer cop will hear
    organizer = request["js"]["organizer"]["address"].removeprefix("mailto:")
    assert organizer.startswith("replies+") and organizer.endswith("@cop.test")

    recipient, raw = outlook_reply(request, sian.email, "ACCEPTED")
    deliver_reply(listener.port, sian.email, recipient, raw)
    assert listener.handler.applied == [["answered yes"]]
    mine = invitation_of(sian)
    assert (mine.answer, mine.place) == ("yes", "confirmed")
    assert places_taken(event) == 1
    # The confirmation follows, as from the RSVP page: ACCEPTED, nothing more asked.
    confirmed = meeting_request(smtp_server, sian)
    assert confirmed["js"]["attendees"][0]["partstat"] == "ACCEPTED"

    # The next "Accept" finds the room full: waitlisted, and the calendar does not say ACCEPTED.
    zoe_request = meeting_request(smtp_server, zoe)
    recipient, raw = outlook_reply(zoe_request, zoe.email, "ACCEPTED")
    deliver_reply(listener.port, zoe.email, recipient, raw)
    theirs = invitation_of(zoe)
    assert (theirs.answer, theirs.place, theirs.waitlist_position) == ("yes", "waitlisted", 1)
    assert places_taken(event) == 1

    # Siân declines in her calendar: her place goes to Zoë as an offer, and no CANCEL goes back to her.
    before = len(by_recipient(smtp_server).get(sian.email, []))
    recipient, raw = outlook_reply(request, sian.email, "DECLINED")
    deliver_reply(listener.port, sian.email, recipient, raw)
    assert (invitation_of(sian).answer, invitation_of(sian).place) == ("no", "none")
    assert invitation_of(zoe).place == "offered"
    deliver_due()
    assert len(by_recipient(smtp_server).get(sian.email, [])) == before


def test_a_tentative_reply_over_smtp_is_a_maybe(reply_app, smtp_server, full_event):  # noqa: F811
    _, (sian, _, _) = full_event
    port = free_port()
    controller = start_listener(reply_app, "127.0.0.1", port, lmtp=False)
    try:
        request = meeting_request(smtp_server, sian)
        recipient, raw = outlook_reply(request, sian.email, "TENTATIVE")
        deliver_reply(port, sian.email, recipient, raw, lmtp=False)
    finally:
        controller.stop()
    assert invitation_of(sian).answer == "maybe"


def test_forged_replies_change_nothing(reply_app, smtp_server, listener, full_event):  # noqa: F811
    event, (sian, zoe, nnamdi) = full_event
    sian_request = meeting_request(smtp_server, sian)
    zoe_request = meeting_request(smtp_server, zoe)
    sian_address = str(sian_request["vevent"]["ORGANIZER"]).removeprefix("mailto:")
    invitation_id = invitation_of(sian).id

    attempts = [
        # Zoë (or anyone holding Siân's mail) answers for Siân at Siân's address: the attendee is not Siân...
        outlook_reply(sian_request, zoe.email, "DECLINED"),
        # ...and a reply naming Siân, sent to Zoë's address, is not about Zoë's invitation.
        outlook_reply(zoe_request, sian.email, "ACCEPTED"),
        # A reply address made up for Siân's invitation (the id is guessable, the HMAC is not).
        outlook_reply(sian_request, sian.email, "ACCEPTED", to=f"replies+i{invitation_id}.{'0' * 32}@cop.test"),
        # The bare address, with no tag.
        outlook_reply(sian_request, sian.email, "ACCEPTED", to=REPLY_ADDRESS),
    ]
    for recipient, raw in attempts:
        deliver_reply(listener.port, "someone@example.org", recipient, raw)
    # A reply about another event, at Siân's own address.
    other = dict(sian_request, vevent=sian_request["vevent"].copy())
    other["vevent"]["UID"] = "someone-elses-event@cop.test"
    recipient, raw = outlook_reply(other, sian.email, "ACCEPTED", to=sian_address)
    deliver_reply(listener.port, sian.email, recipient, raw)

    assert listener.handler.applied == [
        ["ignored: the attendee is not the person invited"],
        ["ignored: the attendee is not the person invited"],
        ["ignored: not a reply address cop made"],
        ["ignored: no reply address tag"],
        ["ignored: not about this invitation's event"],
    ]
    for person in (sian, zoe, nnamdi):
        assert (invitation_of(person).answer, invitation_of(person).place) == ("pending", "none")
    assert places_taken(event) == 0
    # A mailbox that is not cop's is refused at RCPT.
    with smtplib.LMTP("127.0.0.1", listener.port) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("x@example.org", ["postmaster@elsewhere.example"], b"Subject: x\r\n\r\nx\r\n")


def test_a_reply_older_than_the_answer_on_the_page_is_ignored(reply_app, smtp_server, listener, full_event):  # noqa: F811
    _, (sian, _, _) = full_event
    request = meeting_request(smtp_server, sian)
    # She said no on her RSVP page; an Accept written before that (held in an outbox) then arrives.
    link = new_personal_link(invitation_of(sian))
    db.session.commit()
    token = link.rsplit("/", 1)[-1]
    answer_invitation(token, "no")
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    recipient, raw = outlook_reply(request, sian.email, "ACCEPTED", stamp=an_hour_ago)
    deliver_reply(listener.port, sian.email, recipient, raw)
    assert listener.handler.applied == [["ignored: older than the answer cop has"]]
    assert invitation_of(sian).answer == "no"


def test_without_a_reply_address_nothing_asks_for_a_calendar_answer(app_factory, smtp_server):  # noqa: F811
    app = app_factory(**smtp_server.settings())
    with app.app_context():
        group = factories.community()
        guest = factories.member(group)
        event = make_event(group, capacity=5)
        db.session.commit()
        inviting.send_invitations(event, inviting.InvitePlan(people=[guest]))
        db.session.commit()
        deliver_due()
        [invitation_mail] = by_recipient(smtp_server)[guest.email]
        assert calendar_part(invitation_mail) is None  # no meeting request whose answer would be lost


def test_the_inbound_command_listens_and_applies_a_reply(reply_app, smtp_server, full_event, database_url, tmp_path):  # noqa: F811
    """`flask --app wsgi cop inbound --port P`, as a mail server's transport would reach it."""
    _, (sian, _, _) = full_event
    request = meeting_request(smtp_server, sian)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "MAIL_REPLY_ADDRESS": REPLY_ADDRESS,
           "COP_INSTANCE_PATH": str(tmp_path), "BASE_URL": "http://cop.test"}
    command = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "cop", "inbound", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                smtplib.LMTP("127.0.0.1", port).quit()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "the inbound listener did not start"
                time.sleep(0.2)
        recipient, raw = outlook_reply(request, sian.email, "ACCEPTED")
        deliver_reply(port, sian.email, recipient, raw)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert (invitation_of(sian).answer, invitation_of(sian).place) == ("yes", "confirmed")
    assert db.session.execute(select(OutboxMessage).where(OutboxMessage.subject.startswith("Your place"))).first()


def test_lmtp_answers_data_once_per_recipient(reply_app, smtp_server, listener, full_event):  # noqa: F811
    """RFC 2033: after DATA an LMTP server replies for each recipient; Postfix waits for every one."""
    import socket

    _, (sian, zoe, _) = full_event
    sian_request, zoe_request = meeting_request(smtp_server, sian), meeting_request(smtp_server, zoe)
    sian_address, raw = outlook_reply(sian_request, sian.email, "ACCEPTED")
    zoe_address = str(zoe_request["vevent"]["ORGANIZER"]).removeprefix("mailto:")
    with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as connection:
        replies = connection.makefile("rb")

        def reply() -> bytes:
            line = replies.readline()
            while line[3:4] == b"-":
                line = replies.readline()
            return line

        assert reply().startswith(b"220")
        for command in (b"LHLO test.example", f"MAIL FROM:<{sian.email}>".encode(),
                        f"RCPT TO:<{sian_address}>".encode(), f"RCPT TO:<{zoe_address}>".encode(), b"DATA"):
            connection.sendall(command + b"\r\n")
            assert reply()[:1] in (b"2", b"3"), command
        connection.sendall(raw.replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n")
        assert [reply()[:3], reply()[:3]] == [b"250", b"250"]
        connection.sendall(b"QUIT\r\n")
        assert reply().startswith(b"221")
    assert listener.handler.applied == [["answered yes", "ignored: the attendee is not the person invited"]]
    assert invitation_of(sian).answer == "yes" and invitation_of(zoe).answer == "pending"


def test_a_reply_in_the_same_second_as_the_page_answer_counts(reply_app, smtp_server, listener, full_event):  # noqa: F811
    """DTSTAMP has whole seconds; the answer cop has, microseconds: the same second is not "older"."""
    _, (sian, _, _) = full_event
    request = meeting_request(smtp_server, sian)
    token = new_personal_link(invitation_of(sian)).rsplit("/", 1)[-1]
    db.session.commit()
    moment = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=999_999)
    answer_invitation(token, "yes", now=moment)
    recipient, raw = outlook_reply(request, sian.email, "DECLINED", stamp=moment.replace(microsecond=0,
                                                                                          tzinfo=timezone.utc))
    deliver_reply(listener.port, sian.email, recipient, raw)
    assert listener.handler.applied == [["answered no"]]
    assert invitation_of(sian).answer == "no"
