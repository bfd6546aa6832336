"""Feeds and .ics downloads over HTTP: who sees what, conditional requests, tokens, query counts."""
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from flask import g
from sqlalchemy import event as sa_event
from sqlalchemy import select

from cop import ical as ics
from cop.calendars import feeds
from cop.calendars.models import CalendarToken
from cop.clock import utcnow
from cop.events.models import Theme
from cop.extensions import db
from tests import calendar_factories as make
from tests import factories
from tests.calendar_parsers import both_parsers, with_icaljs
from tests.conftest import sign_in

YEAR = datetime.now().year + 1


def unfolded(response) -> str:
    """The calendar text with folded lines joined again, for searching."""
    return response.get_data(as_text=True).replace("\r\n ", "")


def evening(month: int, day: int) -> tuple[datetime, datetime]:
    return datetime(YEAR, month, day, 18), datetime(YEAR, month, day, 21)


@pytest.fixture
def group(app):
    group = factories.community(slug="big-room", name="Mid Essex Big Room")
    factories.member(group, "organiser", factories.person(name="Olu Organiser", email="olu@example.org"))
    db.session.commit()
    return group


@contextmanager
def counted_queries():
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def builds(monkeypatch):
    """How many times a calendar was built."""
    calls = []
    real_feed, real_event = ics.calendar_feed, ics.event_ics
    monkeypatch.setattr(ics, "calendar_feed", lambda *a, **k: calls.append("feed") or real_feed(*a, **k))
    monkeypatch.setattr(ics, "event_ics", lambda *a, **k: calls.append("event") or real_event(*a, **k))
    return calls


# --- The community feed -------------------------------------------------------------

def test_community_feed_lists_published_public_events_and_keeps_cancelled_ones(client, group):
    shown = make.event(group, *evening(1, 20), title="Published", online_url="https://meet.example/secret")
    cancelled = make.event(group, *evening(2, 20), title="Called off", status="cancelled", sequence=2)
    make.event(group, *evening(3, 20), title="Draft", status="draft")
    make.event(group, *evening(4, 20), title="Private set", is_public=False)
    make.event(factories.community(), *evening(5, 20), title="Another community")
    db.session.commit()
    response = client.get("/communities/big-room/calendar.ics")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    text = unfolded(response)
    parsed = both_parsers(response.get_data(as_text=True))
    assert [(e["uid"], e["summary"], e["status"], e["sequence"]) for e in parsed] == [
        (shown.uid, "Published", "CONFIRMED", 0),
        (cancelled.uid, "Cancelled: Called off", "CANCELLED", 2),
    ]
    assert with_icaljs(text)["name"] == "Mid Essex Big Room"
    # Anyone may read this feed, so the meeting link stays in the invitations.
    assert "meet.example/secret" not in text


def test_an_unknown_community_has_no_feed(client, group):
    assert client.get("/communities/nowhere/calendar.ics").status_code == 404


def test_community_feed_answers_304_without_building_until_something_changes(client, group, builds):
    happening = make.event(group, *evening(1, 20))
    db.session.commit()
    first = client.get("/communities/big-room/calendar.ics")
    assert first.status_code == 200 and builds == ["feed"]
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('W/"')

    again = client.get("/communities/big-room/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and builds == ["feed"]
    assert again.headers["ETag"] == etag
    by_date = client.get("/communities/big-room/calendar.ics", headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304 and builds == ["feed"]

    happening.sequence += 1
    happening.starts_at += timedelta(hours=1)
    happening.updated_at = utcnow() + timedelta(seconds=2)
    db.session.commit()
    changed = client.get("/communities/big-room/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and builds == ["feed", "feed"]
    assert changed.headers["ETag"] != etag
    assert client.get("/communities/big-room/calendar.ics",
                      headers={"If-Modified-Since": last_modified}).status_code == 200


def test_a_new_event_or_a_renamed_community_changes_the_community_validator(client, group):
    make.event(group, *evening(1, 20))
    db.session.commit()
    etag = client.get("/communities/big-room/calendar.ics").headers["ETag"]
    make.event(group, *evening(2, 20))
    db.session.commit()
    second = client.get("/communities/big-room/calendar.ics", headers={"If-None-Match": etag})
    assert second.status_code == 200
    # The organiser is not in the feed (ORGANIZER is cop's address, CN the community): their going changes nothing.
    db.session.execute(db.delete(factories.Membership))
    db.session.commit()
    assert client.get("/communities/big-room/calendar.ics",
                      headers={"If-None-Match": second.headers["ETag"]}).status_code == 304
    group.name = "Mid and South Essex Big Room"
    db.session.commit()
    third = client.get("/communities/big-room/calendar.ics", headers={"If-None-Match": second.headers["ETag"]})
    assert third.status_code == 200
    assert 'CN="Mid and South Essex Big Room":mailto:no-reply@cop.localhost' in unfolded(third)


# --- The per-event download ------------------------------------------------------------

@pytest.fixture
def people(group):
    roles = {role: factories.member(group, role) for role in ("member", "facilitator", "organiser")}
    roles["outsider"] = factories.member(factories.community(), "organiser")
    roles["invitee"] = factories.member(group, "member")
    db.session.commit()
    return {role: factories.account(person) for role, person in roles.items()}


@pytest.mark.parametrize("kind, expected", [
    # anonymous, member, facilitator, organiser, outsider, invitee
    ("public", (200, 200, 200, 200, 200, 200)),
    ("cancelled", (200, 200, 200, 200, 200, 200)),
    ("draft", (404, 404, 200, 200, 404, 404)),
    ("private", (404, 404, 200, 200, 404, 200)),
])
def test_who_may_download_an_event(app, group, people, kind, expected):
    fields = {"public": {}, "cancelled": {"status": "cancelled"}, "draft": {"status": "draft"},
              "private": {"is_public": False}}[kind]
    happening = make.event(group, *evening(1, 20), online_url="https://meet.example/room", **fields)
    make.invitation(happening, people["invitee"].person, answer="yes", place="confirmed")
    db.session.commit()
    answered = []
    for visitor in ("anonymous", "member", "facilitator", "organiser", "outsider", "invitee"):
        # The test's app context outlives each request, and Flask-Login keeps the user in g.
        g.pop("_login_user", None)
        client = app.test_client()
        if visitor != "anonymous":
            sign_in(client, people[visitor])
        response = client.get(f"/events/{happening.id}.ics")
        answered.append(response.status_code)
        if response.status_code == 200:
            text = unfolded(response)
            [parsed] = both_parsers(response.get_data(as_text=True))
            assert parsed["uid"] == happening.uid
            assert response.headers["Content-Disposition"] == f'attachment; filename="event-{happening.id}.ics"'
            # The meeting link goes to staff and invitees only.
            assert ("meet.example/room" in text) == (visitor in ("facilitator", "organiser", "invitee"))
    assert tuple(answered) == expected


def test_a_revoked_invitee_cannot_download_a_private_event(app, group, people):
    happening = make.event(group, *evening(1, 20), is_public=False)
    make.invitation(happening, people["invitee"].person, revoked_at=utcnow())
    db.session.commit()
    client = app.test_client()
    sign_in(client, people["invitee"])
    assert client.get(f"/events/{happening.id}.ics").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404


def test_event_download_answers_304_until_the_event_changes(client, group, builds):
    happening = make.event(group, *evening(1, 20))
    db.session.commit()
    first = client.get(f"/events/{happening.id}.ics")
    assert first.status_code == 200 and builds == ["event"]
    cached = client.get(f"/events/{happening.id}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304
    assert builds == ["event"]
    happening.status = "cancelled"
    happening.sequence += 1
    db.session.commit()
    again = client.get(f"/events/{happening.id}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "STATUS:CANCELLED" in unfolded(again)


# --- The personal feed --------------------------------------------------------------------

@pytest.fixture
def guest(group):
    return factories.member(group, "member", factories.person(name="Gita Guest", email="gita@example.org"))


def feed_path(person) -> str:
    url = feeds.feed_url_for_person(person)
    assert url.startswith("http://cop.test/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://cop.test")


def test_personal_feed_has_the_persons_events_with_their_answers(client, group, guest):
    going = make.event(group, *evening(1, 20), title="Going", online_url="https://meet.example/going")
    maybe = make.event(group, *evening(2, 20), title="Perhaps")
    unanswered = make.event(group, *evening(3, 20), title="Not answered")
    queued = make.event(group, *evening(4, 20), title="Full")
    called_off = make.event(group, *evening(5, 20), title="Called off", status="cancelled", sequence=1)
    private = make.event(group, *evening(6, 20), title="Learning set", is_public=False)
    declined = make.event(group, *evening(7, 20), title="Declined")
    revoked = make.event(group, *evening(8, 20), title="Revoked")
    draft = make.event(group, *evening(9, 20), title="Draft", status="draft")
    make.event(group, *evening(10, 20), title="Not invited")  # public, but not theirs
    make.invitation(going, guest, answer="yes", place="confirmed")
    make.invitation(maybe, guest, answer="maybe")
    make.invitation(unanswered, guest)
    make.invitation(queued, guest, answer="yes", place="waitlisted", waitlist_position=3)
    make.invitation(called_off, guest, answer="yes", place="confirmed")
    make.invitation(private, guest, answer="yes", place="confirmed")
    make.invitation(declined, guest, answer="no")
    make.invitation(revoked, guest, answer="yes", revoked_at=utcnow())
    make.invitation(draft, guest)
    someone_else = factories.member(group)
    make.invitation(declined, someone_else, answer="yes", place="confirmed")
    db.session.commit()

    response = client.get(feed_path(guest))
    assert response.status_code == 200
    text = unfolded(response)
    parsed = both_parsers(response.get_data(as_text=True))
    assert [(e["summary"], e["partstat"], e["status"]) for e in parsed] == [
        ("Going", "ACCEPTED", "CONFIRMED"),
        ("Perhaps", "TENTATIVE", "CONFIRMED"),
        ("Not answered", "NEEDS-ACTION", "CONFIRMED"),
        ("[Waitlist 3] Full", "TENTATIVE", "CONFIRMED"),  # a place in the queue is not a place
        ("Cancelled: Called off", "ACCEPTED", "CANCELLED"),
        ("Learning set", "ACCEPTED", "CONFIRMED"),
    ]
    assert [e["uid"] for e in parsed] == [e.uid for e in (going, maybe, unanswered, queued, called_off, private)]
    assert "mailto:gita@example.org" in text and someone_else.email not in text
    assert "https://meet.example/going" in text  # their own feed carries their meeting links
    assert "METHOD" not in text and "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text


def test_personal_feed_answers_304_until_the_person_answers(client, group, guest, builds):
    happening = make.event(group, *evening(1, 20), title="Big Room")
    invitation = make.invitation(happening, guest)
    db.session.commit()
    path = feed_path(guest)
    first = client.get(path)
    assert first.status_code == 200 and builds == ["feed"]
    etag = first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert builds == ["feed"]

    invitation.answer, invitation.place, invitation.answered_at = "yes", "waitlisted", utcnow()
    invitation.waitlist_position = 2
    db.session.commit()
    second = client.get(path, headers={"If-None-Match": etag})
    assert second.status_code == 200
    assert both_parsers(second.get_data(as_text=True))[0]["summary"] == "[Waitlist 2] Big Room"

    # Promotion from the waitlist changes neither answer nor answered_at, and still shows.
    invitation.place, invitation.waitlist_position = "confirmed", None
    db.session.commit()
    third = client.get(path, headers={"If-None-Match": second.headers["ETag"]})
    assert third.status_code == 200
    assert both_parsers(third.get_data(as_text=True))[0]["summary"] == "Big Room"

    invitation.revoked_at = utcnow()
    db.session.commit()
    fourth = client.get(path, headers={"If-None-Match": third.headers["ETag"]})
    assert fourth.status_code == 200 and both_parsers(fourth.get_data(as_text=True)) == []


def test_an_unknown_token_is_not_found(client, group):
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_the_token_is_stored_only_as_a_hash_and_the_url_is_stable(app, group, guest):
    url = feeds.feed_url_for_person(guest)
    assert feeds.feed_url_for_person(guest) == url
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43
    [row] = db.session.scalars(select(CalendarToken)).all()
    assert token not in (row.token_hash, row.salt) and row.revoked_at is None
    # Another person gets another token.
    assert feeds.feed_url_for_person(factories.member(group)) != url


def test_resetting_the_token_retires_the_old_url(client, group, guest):
    account = factories.account(guest)
    sign_in(client, account)
    page = client.get("/my-calendar")
    assert page.status_code == 200
    old = feed_path(guest)
    assert old in page.get_data(as_text=True)
    assert client.get(old).status_code == 200

    response = client.post("/my-calendar/reset")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-calendar")
    new = feed_path(guest)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    page = client.get("/my-calendar").get_data(as_text=True)
    assert new in page and old not in page
    assert len(db.session.scalars(select(CalendarToken).where(CalendarToken.revoked_at.is_(None))).all()) == 1


def test_a_new_secret_key_gives_a_new_working_url(app_factory, group, guest):
    old = feed_path(guest)
    other = app_factory(SECRET_KEY="a-rotated-key")
    with other.app_context():
        new = feeds.feed_url_for_person(db.session.get(type(guest), guest.id)).removeprefix("http://cop.test")
        client = other.test_client()
        assert new != old
        assert client.get(new).status_code == 200
        assert client.get(old).status_code == 404


def test_my_calendar_offers_one_click_subscriptions(client, group, guest):
    sign_in(client, factories.account(guest))
    page = client.get("/my-calendar").get_data(as_text=True)
    feed = feeds.feed_url_for_person(guest)
    webcal = feed.replace("http://", "webcal://")
    links = feeds.subscribe_links(feed, "cop: Gita Guest")
    assert links["webcal"] == webcal
    assert links["google"] == "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    assert links["outlook"].startswith(
        "https://outlook.office.com/calendar/addfromweb?url=http%3A%2F%2Fcop.test%2Fcalendar%2F"
    )
    assert "&name=cop%3A+Gita+Guest" in links["outlook"]
    for link in (links["webcal"], links["google"], links["outlook"]):
        assert f'href="{link.replace("&", "&amp;")}"' in page


def test_my_calendar_lists_what_is_coming_up_in_the_feed(client, group, guest):
    make.invitation(make.event(group, *evening(3, 12), title="Spring Big Room"), guest, answer="yes", place="confirmed")
    make.invitation(make.event(group, *evening(4, 9), title="Full Assembly"), guest, answer="yes", place="waitlisted",
                    waitlist_position=3)
    make.invitation(make.event(group, *evening(5, 7), title="Declined Room"), guest, answer="no")
    make.invitation(make.event(group, *evening(6, 4), title="Draft Room", status="draft"), guest)
    past = datetime.now().replace(microsecond=0) - timedelta(days=30)
    make.invitation(make.event(group, past, past + timedelta(hours=3), title="Last Month"), guest, answer="yes",
                    place="confirmed")
    db.session.commit()
    sign_in(client, factories.account(guest))
    page = client.get("/my-calendar").get_data(as_text=True)
    rows = page.split('id="coming-up"')[1].split("</table>")[0]
    assert rows.index("Spring Big Room") < rows.index("Full Assembly")
    assert "On the waitlist (position 3)" in rows and "Yes" in rows
    for absent in ("Declined Room", "Draft Room", "Last Month"):
        assert absent not in page
    # The page lists what the feed holds (the feed also keeps past events).
    summaries = {e["summary"] for e in both_parsers(client.get(feed_path(guest)).get_data(as_text=True))}
    assert {"Spring Big Room", "[Waitlist 3] Full Assembly", "Last Month"} == summaries


def test_my_calendar_says_when_nothing_is_coming_up(client, group, guest):
    sign_in(client, factories.account(guest))
    page = client.get("/my-calendar").get_data(as_text=True)
    assert "Nothing yet: when you are invited to an event" in page and 'id="coming-up"' not in page


def test_a_person_without_an_account_gets_a_feed_url(client, group, guest):
    make.invitation(make.event(group, *evening(1, 20), title="Big Room"), guest, answer="yes", place="confirmed")
    db.session.commit()
    assert [e["summary"] for e in both_parsers(client.get(feed_path(guest)).get_data(as_text=True))] == ["Big Room"]


def test_my_calendar_and_the_personal_feed_filter_by_theme(client, group, guest):
    """My calendar filters by a theme of the year (issue 22); the feed address it offers keeps the filter, and
    the token's rules are the feed's: an unknown token is not found whatever the theme."""
    frailty = Theme(community=group, name="Eiddilwch – frailty")
    other = factories.community(name="Ysbyty Gwynedd")
    theirs = Theme(community=other, name="Eiddilwch – frailty")
    make.invitation(make.event(group, *evening(3, 12), title="Frail Room", theme=frailty), guest, answer="yes",
                    place="confirmed")
    make.invitation(make.event(group, *evening(4, 9), title="Plain Room"), guest, answer="yes", place="confirmed")
    make.invitation(make.event(other, *evening(5, 9), title="Gwynedd Room", theme=theirs), guest, answer="yes",
                    place="confirmed")
    unseen = Theme(community=group, name="Not mine")
    make.event(group, *evening(6, 9), title="Uninvited", theme=unseen)
    db.session.commit()
    sign_in(client, factories.account(guest))
    page = client.get("/my-calendar").get_data(as_text=True)
    assert 'name="theme"' in page and "Not mine" not in page
    assert "Eiddilwch – frailty (Ysbyty Gwynedd)" in page  # two themes of one name: their communities say which
    filtered = client.get(f"/my-calendar?theme={frailty.id}").get_data(as_text=True)
    rows = filtered.split('id="coming-up"')[1].split("</table>")[0]
    assert "Frail Room" in rows and "Plain Room" not in rows and "Gwynedd Room" not in rows
    path = feed_path(guest)
    assert f"{path}?theme={frailty.id}" in filtered
    summaries = [e["summary"] for e in both_parsers(client.get(f"{path}?theme={frailty.id}").get_data(as_text=True))]
    assert summaries == ["Frail Room"]
    whole = client.get(path)
    assert len(both_parsers(whole.get_data(as_text=True))) == 3
    assert client.get(f"{path}?theme={frailty.id}").headers["ETag"] != whole.headers["ETag"]
    # Another theme's id, a theme of nobody's events, nonsense: an empty or whole calendar, never an error.
    assert both_parsers(client.get(f"{path}?theme={unseen.id}").get_data(as_text=True)) == []
    assert client.get(f"{path}?theme=99999999999999999999").status_code == 200
    assert client.get(f"/my-calendar?theme={unseen.id}").status_code == 200
    assert client.get(f"/calendar/not-a-token.ics?theme={frailty.id}").status_code == 404


# --- Cost: a feed request follows the events in the feed, not the community ----------------

def _grow_community(group, members: int, events: int, guest) -> None:
    venue = make.venue(group)
    run = make.series(group)
    for _ in range(members):
        factories.member(group)
    for day in range(events):
        # Each event carries its own theme (CATEGORIES), loaded with the events, not one query each.
        theme = Theme(community=group, name=f"Thema {members}-{day}")
        happening = make.event(group, datetime(YEAR, 1, 1, 18) + timedelta(days=day),
                               datetime(YEAR, 1, 1, 21) + timedelta(days=day), venue=venue, series=run, theme=theme)
        make.invitation(happening, guest, answer="yes", place="confirmed")
    db.session.commit()


@pytest.mark.parametrize("path_for", ["community", "personal"])
def test_feed_queries_do_not_grow_with_the_community_or_the_feed(client, group, guest, path_for):
    path = "/communities/big-room/calendar.ics" if path_for == "community" else feed_path(guest)
    counts = []
    for members, events in ((2, 3), (60, 40)):
        _grow_community(group, members, events, guest)
        db.session.expunge_all()
        with counted_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200
        with counted_queries() as not_modified:
            assert client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
        counts.append((len(statements), len(not_modified)))
    assert counts[0] == counts[1]
    assert counts[0][1] <= 3  # the 304 path: find the feed, one aggregate, (the organiser)


# --- Add to calendar ---------------------------------------------------------------------

def test_add_to_calendar_offers_outlook_google_and_the_file(app, group):
    from flask import render_template

    venue = make.venue(group)
    happening = make.event(group, datetime(YEAR, 7, 1, 18), datetime(YEAR, 7, 1, 21),  # BST: 17:00 UTC
                           title="Big Room & friends", venue=venue)
    db.session.commit()
    with app.test_request_context():
        html = render_template("calendars/_add_to_calendar.html", event=happening)
        links = feeds.add_to_calendar_links(happening)
    assert links["google"].startswith(
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text=Big%20Room%20%26%20friends"
    )
    assert f"dates={YEAR}0701T170000Z%2F{YEAR}0701T200000Z" in links["google"]
    assert "ctz=Europe%2FLondon" in links["google"]
    assert links["outlook"].startswith("https://outlook.office.com/calendar/0/deeplink/compose?")
    assert f"startdt={YEAR}-07-01T17%3A00%3A00Z" in links["outlook"] and "rru=addevent" in links["outlook"]
    assert "Chelmsford%20Civic%20Centre" in links["outlook"]
    assert links["ics"] == f"/events/{happening.id}.ics"
    for link in links.values():
        assert link.replace("&", "&amp;") in html
    assert "Add to calendar" in html


def test_the_rsvp_page_adds_the_event_to_a_calendar_without_an_account(client, group):
    """An invitee who answered yes to a private event (no account, not signed in) gets its .ics from
    their own link; the event's public .ics address would answer them 404."""
    from tests.invitation_helpers import make_invitation

    happening = make.event(group, *evening(3, 12), is_public=False, online_url="https://meet.example/set")
    guest = factories.person(name="Ada Invitee")
    invitation, token = make_invitation(happening, guest, answer="pending")
    db.session.commit()
    assert "Add to calendar" not in client.get(f"/rsvp/{token}").get_data(as_text=True)  # not answered yet

    assert client.post(f"/rsvp/{token}", data={"answer": "yes", "attendance_mode": "in_person"}).status_code == 302
    page = client.get(f"/rsvp/{token}").get_data(as_text=True)
    assert "Add to calendar" in page and f'href="/rsvp/{token}/calendar.ics"' in page
    assert client.get(f"/events/{happening.id}.ics").status_code == 404  # the address it offered before
    download = client.get(f"/rsvp/{token}/calendar.ics")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="event-{happening.id}.ics"'
    [parsed] = both_parsers(download.get_data(as_text=True))
    assert parsed["uid"] == happening.uid
    assert "meet.example/set" in unfolded(download)  # an invitee's copy has the meeting link

    assert client.post(f"/rsvp/{token}", data={"answer": "no"}).status_code == 302
    assert "Add to calendar" not in client.get(f"/rsvp/{token}").get_data(as_text=True)
    invitation.revoked_at = utcnow()
    db.session.commit()
    assert client.get(f"/rsvp/{token}/calendar.ics").status_code == 404
    assert client.get("/rsvp/not-a-real-token/calendar.ics").status_code == 404
