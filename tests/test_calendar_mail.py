"""Calendar mail end to end: queued by cop, sent by the outbox worker to a real SMTP server (aiosmtpd,
which refuses lines over 1,000 octets as real servers do), read back with Python's `email` package,
and the calendar with icalendar and ical.js. Names, titles and places are Welsh, accented and emoji,
as the NHS workforce's are."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from cop.events import scheduling
from cop.extensions import db
from cop.invitations import inviting
from cop.invitations.models import Invitation
from cop.invitations.rsvp import answer_invitation
from cop.mail.models import OutboxMessage
from cop.mail.outbox import deliver_due, resend
from tests import factories
from tests.invitation_helpers import make_event, make_invitation
from tests.mail_capture import (
    LONGEST_LINE,
    by_recipient,
    calendar_part,
    longest_line,
    parse,
    raw_messages,
    read_calendar,
)
from tests.smtp import smtp_server  # noqa: F401  (the fixture)

GUEST = "Siân Ellis-Jones"
SECOND_GUEST = "Zoë Ó Briain"
THIRD_GUEST = "Þórunn Çelik-Nguyễn 陈"
ORGANISER = "Llŷr ap Dafydd"
COMMUNITY = "Cymuned Ymarfer — Gogledd Cymru"
TITLE = "Noson Fawr — Siân’s 🎉 evening: café & crème brûlée"
VENUE = "Canolfan Ŵyl y Môr"
ADDRESS = "Heol y Frenhines\nCaerdydd CF10 2BH"
# A paragraph of about 1,400 octets with no line break: it used to become one body line.
PARAGRAPH = ("Croeso i bawb — we’ll share what worked in Betsi Cadwaladr and Hywel Dda: "
             "naïve questions welcome, café au lait served, 🎉 celebrations at the end. ") * 9


@pytest.fixture
def smtp_app(app_factory, smtp_server):  # noqa: F811
    app = app_factory(**smtp_server.settings(), MAIL_REPLY_ADDRESS="replies@cop.test")
    with app.app_context():
        yield app


def _unfold(text: str) -> str:
    return text.replace("\r\n ", "")


@pytest.fixture
def welsh_event(smtp_app):
    group = factories.community(slug="gogledd", name=COMMUNITY)
    organiser = factories.member(group, "organiser", factories.person(name=ORGANISER, email="llyr.dafydd@nhs.net"))
    venue = factories.venue(group, name=VENUE)
    venue.address = ADDRESS
    event = make_event(group, capacity=10, title=TITLE, description=PARAGRAPH, venue=venue)
    guests = [factories.member(group, someone=factories.person(name=name, email=f"guest{n}@example.org"))
              for n, name in enumerate((GUEST, SECOND_GUEST, THIRD_GUEST))]
    db.session.flush()
    tokens = [make_invitation(event, guest)[1] for guest in guests]
    db.session.commit()
    return {"event": event, "organiser": organiser, "guests": guests, "tokens": tokens, "group": group}


def _check_every_line_and_part(raw: bytes) -> None:
    """RFC 5322's limit holds, and every part is encoded: nothing 8-bit travels raw."""
    assert longest_line(raw) <= LONGEST_LINE
    assert all(byte < 128 for byte in raw), "an unencoded 8-bit octet"
    message = parse(raw)
    for part in message.walk():
        if not part.is_multipart():
            assert part["Content-Transfer-Encoding"] in ("quoted-printable", "base64"), part.get_content_type()


def test_a_confirmation_with_non_ascii_everywhere_arrives_intact(welsh_event, smtp_server):  # noqa: F811
    answer_invitation(welsh_event["tokens"][0], "yes")
    assert deliver_due().sent == 1
    [raw] = raw_messages(smtp_server)
    _check_every_line_and_part(raw)
    message = parse(raw)
    assert message["Subject"] == f"Your place is confirmed: {TITLE}"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith(f"Hello {GUEST}") and TITLE in text and VENUE in text
    assert f"Hello {GUEST}" in message.get_body(("html",)).get_content()
    calendar = read_calendar(message)
    # Every parser reads the same words cop wrote: no \u2014, no Latin-1 octets.
    assert calendar["summary"] == calendar["js"]["summary"] == TITLE
    assert calendar["js"]["location"] == f"{VENUE}, Heol y Frenhines, Caerdydd CF10 2BH"
    assert PARAGRAPH.strip() in calendar["js"]["description"]
    [attendee] = calendar["js"]["attendees"]
    assert attendee["cn"] == GUEST and attendee["address"] == "mailto:guest0@example.org"
    assert calendar["vevent"]["ATTENDEE"].params["CN"] == GUEST
    assert calendar["js"]["organizer"]["cn"] == COMMUNITY
    # Folded at 75 octets, never inside a character.
    lines = calendar["text"].encode("utf-8").split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert "\\u2014" not in calendar["text"] and "\\U0001f389" not in calendar["text"]


def test_long_descriptions_never_make_invitations_fail(welsh_event, smtp_server):  # noqa: F811
    for token in welsh_event["tokens"]:
        answer_invitation(token, "yes")
    report = deliver_due()
    assert (report.sent, report.retrying, report.failed) == (3, 0, 0)
    received = by_recipient(smtp_server)
    assert set(received) == {f"guest{n}@example.org" for n in range(3)}
    for raw in raw_messages(smtp_server):
        _check_every_line_and_part(raw)
    # A failed message sent again goes the same way (resend builds it afresh).
    [message] = db.session.execute(select(OutboxMessage).limit(1)).scalars()
    resend(message)
    db.session.commit()
    assert deliver_due().sent == 1


def test_the_server_really_refuses_long_lines(welsh_event, smtp_server):  # noqa: F811
    """The capture is as strict as the relay that refused the old mail: a raw 1,412-octet line fails."""
    import smtplib

    with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPResponseException) as refused:
            client.sendmail("a@example.org", ["b@example.org"], b"Subject: x\r\n\r\n" + b"x" * 1412 + b"\r\n")
    assert refused.value.smtp_code == 500


def test_the_meeting_is_an_alternative_outlook_can_find(welsh_event, smtp_server):  # noqa: F811
    answer_invitation(welsh_event["tokens"][0], "yes")
    deliver_due()
    [raw] = raw_messages(smtp_server)
    message = parse(raw)
    assert message.get_content_type() == "multipart/mixed"
    [alternative, *attached] = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    calendar = read_calendar(message)
    assert calendar["part_method"] == calendar["body_method"] == "REQUEST"
    assert {p.get_filename(): p.get_content_type() for p in attached} == {
        "invite.ics": "application/ics", "check-in.png": "image/png"}
    ics = next(p for p in attached if p.get_filename() == "invite.ics")
    assert ics.get_content().decode("utf-8") == calendar["text"]


def test_invitations_moves_and_cancellations_share_the_layout(welsh_event, smtp_server):  # noqa: F811
    event, guests = welsh_event["event"], welsh_event["guests"]
    first = db.session.execute(select(Invitation).where(Invitation.person_id == guests[0].id)).scalar_one()
    inviting.resend_invitation(first)  # the invitation itself: a meeting request asking for an answer
    answer_invitation(welsh_event["tokens"][1], "yes")
    details = scheduling.EventDetails(
        title=event.title, starts_at=event.starts_at + timedelta(days=1), ends_at=event.ends_at + timedelta(days=1),
        description=event.description, venue=event.venue, capacity=event.capacity)
    scheduling.update_event(event, details, welsh_event["organiser"])
    db.session.commit()
    scheduling.cancel_event(event, welsh_event["organiser"], note="Mae’n ddrwg gennym — sorry 🙏")
    db.session.commit()
    report = deliver_due()
    assert (report.sent, report.failed) == (8, 0)  # invitation, confirmation, 3 moves, 3 cancellations
    methods = []
    for raw in raw_messages(smtp_server):
        _check_every_line_and_part(raw)
        message = parse(raw)
        if calendar_part(message) is not None:
            calendar = read_calendar(message)
            assert calendar["part_method"] == calendar["body_method"]
            assert calendar["js"]["summary"] == TITLE
            methods.append(calendar["body_method"])
    assert sorted(methods) == ["CANCEL"] * 3 + ["REQUEST"] * 5
    # The invitation's own text carries the whole paragraph, intact, in lines of legal length.
    [invitation_mail] = [m for m in by_recipient(smtp_server)["guest0@example.org"]
                         if m["Subject"].startswith("You are invited")]
    assert PARAGRAPH.strip() in invitation_mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_no_personal_address_of_an_organiser_in_mailed_calendars(welsh_event, smtp_server):  # noqa: F811
    answer_invitation(welsh_event["tokens"][0], "yes")
    deliver_due()
    [raw] = raw_messages(smtp_server)
    calendar = read_calendar(parse(raw))
    assert "llyr.dafydd" not in calendar["text"].lower()
    organizer = calendar["js"]["organizer"]
    assert organizer["address"].startswith("mailto:replies+") and organizer["address"].endswith("@cop.test")


# --- The repeated autumn hour ---------------------------------------------------------------

@pytest.mark.parametrize("utc_start", [datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 1, 30)],
                         ids=["first-01:30-BST", "second-01:30-GMT"])
def test_the_repeated_autumn_hour_reads_alike_in_mail(smtp_app, smtp_server, utc_start):  # noqa: F811
    """01:30 comes twice in London on 25 October 2026; both parsers must place each at its own instant."""
    group = factories.community(name=COMMUNITY)
    guest = factories.member(group, someone=factories.person(name=GUEST))
    event = make_event(group, title="Shift handover 🌙", starts_at=utc_start, ends_at=utc_start + timedelta(minutes=45))
    db.session.flush()
    _, token = make_invitation(event, guest)
    db.session.commit()
    answer_invitation(token, "yes", now=utc_start - timedelta(days=3))
    deliver_due()
    [raw] = raw_messages(smtp_server)
    calendar = read_calendar(parse(raw))  # icalendar and ical.js agree...
    assert calendar["start"] == utc_start.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # ...and are right
    assert calendar["end"] == (utc_start + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# --- One person's place ends: their calendar hears ------------------------------------------

def _calendars_for(smtp_server, address: str) -> list[dict]:  # noqa: F811
    deliver_due()
    return [read_calendar(m) for m in by_recipient(smtp_server).get(address, []) if calendar_part(m) is not None]


def test_a_revoked_invitation_cancels_the_event_in_that_persons_calendar(welsh_event, smtp_server):  # noqa: F811
    event, guests = welsh_event["event"], welsh_event["guests"]
    answer_invitation(welsh_event["tokens"][0], "yes")
    answer_invitation(welsh_event["tokens"][1], "yes")
    [confirmed] = _calendars_for(smtp_server, guests[0].email)
    mine = db.session.execute(select(Invitation).where(Invitation.person_id == guests[0].id)).scalar_one()
    inviting.revoke_invitation(mine)
    confirmed_then_cancelled = _calendars_for(smtp_server, guests[0].email)
    assert [c["body_method"] for c in confirmed_then_cancelled] == ["REQUEST", "CANCEL"]
    cancel = confirmed_then_cancelled[-1]
    assert cancel["part_method"] == "CANCEL" and cancel["status"] == "CANCELLED"
    assert cancel["uid"] == confirmed["uid"] == event.uid
    assert cancel["sequence"] > confirmed["sequence"]
    assert cancel["js"]["attendees"][0]["address"] == f"mailto:{guests[0].email}"
    # Nobody else's calendar hears of it; the event itself is not cancelled.
    assert [c["body_method"] for c in _calendars_for(smtp_server, guests[1].email)] == ["REQUEST"]
    db.session.refresh(event)
    assert event.status == "published"
    # Invited again: the new request is newer than the cancellation.
    inviting.resend_invitation(mine)
    again = _calendars_for(smtp_server, guests[0].email)[-1]
    assert again["body_method"] == "REQUEST" and again["sequence"] > cancel["sequence"]


@pytest.mark.parametrize("first_place", ["confirmed", "waitlisted"])
def test_a_yes_that_becomes_no_cancels_and_a_new_yes_requests_again(welsh_event, smtp_server, first_place):  # noqa: F811
    event, guests, tokens = welsh_event["event"], welsh_event["guests"], welsh_event["tokens"]
    if first_place == "waitlisted":
        event.capacity = 1
        db.session.commit()
        answer_invitation(tokens[1], "yes")  # takes the only place
    mine = answer_invitation(tokens[0], "yes")
    assert mine.place == first_place
    answer_invitation(tokens[0], "no")
    calendars = _calendars_for(smtp_server, guests[0].email)
    cancel = calendars[-1]
    assert cancel["body_method"] == cancel["part_method"] == "CANCEL" and cancel["uid"] == event.uid
    assert all(cancel["sequence"] > earlier["sequence"] for earlier in calendars[:-1])
    if first_place == "waitlisted":
        # The waitlist mail had no calendar; the CANCEL still takes out what the invitation put in.
        assert [c["body_method"] for c in calendars] == ["CANCEL"]
        return
    answer_invitation(tokens[0], "yes")
    back = _calendars_for(smtp_server, guests[0].email)[-1]
    assert back["body_method"] == "REQUEST" and back["sequence"] > cancel["sequence"]
    assert back["js"]["attendees"][0]["partstat"] == "ACCEPTED"


def test_a_waitlisted_person_is_not_accepted_in_any_calendar(welsh_event, smtp_server):  # noqa: F811
    event, guests, tokens = welsh_event["event"], welsh_event["guests"], welsh_event["tokens"]
    event.capacity = 1
    db.session.commit()
    answer_invitation(tokens[0], "yes")
    assert answer_invitation(tokens[1], "yes").place == "waitlisted"
    details = scheduling.EventDetails(
        title=event.title, starts_at=event.starts_at + timedelta(hours=1), ends_at=event.ends_at + timedelta(hours=1),
        description=event.description, venue=event.venue, capacity=event.capacity)
    scheduling.update_event(event, details)
    db.session.commit()
    [moved] = _calendars_for(smtp_server, guests[1].email)
    assert moved["js"]["attendees"][0]["partstat"] == "TENTATIVE"
    assert moved["summary"] == f"[Waitlist 1] {TITLE}"
