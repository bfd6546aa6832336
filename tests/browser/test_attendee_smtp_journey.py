"""The attendee's journey from a real mail: the organiser invites, the outbox is delivered over SMTP
to aiosmtpd on 127.0.0.1, and the attendee follows the link in the message the server received.
They answer yes with their needs, add the event to their calendar (.ics), sign in with the link
mailed to them and open My calendar, whose feed address serves the event. axe-core on every page."""
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from cop.extensions import db
from cop.mail.outbox import deliver_due
from tests import factories
from tests.browser.conftest import Journey
from tests.smtp import smtp_server  # noqa: F401  (the fixture)

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def app(app_factory, smtp_server):  # noqa: F811
    """The app under test delivers its outbox over SMTP to the test's aiosmtpd server."""
    app = app_factory(**smtp_server.settings())
    with app.app_context():
        yield app


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def delivered(smtp_server, already: int):  # noqa: F811
    """Deliver the outbox over SMTP; the messages the server received since `already`, parsed."""
    db.session.expire_all()
    report = deliver_due()
    assert report.failed == 0 and report.retrying == 0
    raw = smtp_server.handler.received[already:]
    return [message_from_bytes(data, policy=policy.default) for data in raw]


def link_in(message, fragment: str) -> str:
    """The one link containing `fragment` in the HTML part; the text part carries the same link."""
    parser = Links()
    parser.feed(message.get_body(("html",)).get_content())
    [link] = {href for href in parser.hrefs if fragment in href}
    assert link in message.get_body(("plain",)).get_content()
    return link


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_attendee_answers_from_the_smtp_mail_adds_to_calendar_and_opens_my_calendar(
        journey, browser, smtp_server, live_server, tmp_path):  # noqa: F811
    group = factories.community(slug="big-room", name="Mid and South Essex Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    venue = factories.venue(group, name="Chelmsford Civic Centre")
    # A summer evening: 18:00 in London is 17:00 UTC (BST).
    event = factories.event(group, title="Summer Big Room", starts_at=datetime(2027, 6, 10, 17, 0), venue=venue,
                            capacity=60, has_meal=True)
    factories.member(group, someone=factories.person(name="Ada Lovelace", email="ada@example.org"))
    db.session.commit()

    # The organiser, in a browser of their own, invites Ada.
    organiser_context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    organiser = Journey(organiser_context.new_page(), live_server, journey.name + "-organiser")
    try:
        organiser.sign_in("olga@example.org", "correct horse battery")
        organiser.to_event("Mid and South Essex Big Room", "Summer Big Room")
        organiser.follow("Invite people")
        organiser.page.check("input[name=who][value=nobody]")
        organiser.page.fill("#addresses", "ada@example.org")
        organiser.page.click("button:has-text('Preview')")
        organiser.check()
        organiser.page.click("button:has-text('Send 1 invitation')")
        organiser.check()
        assert "1 invitation sent." in organiser.page.content()
    finally:
        organiser_context.close()
    journey.violations += organiser.violations

    # The outbox goes out over SMTP; the invitation is taken from what the server received.
    [invitation] = delivered(smtp_server, 0)
    assert invitation["To"] == "ada@example.org"
    assert invitation["Subject"] == "You are invited: Summer Big Room"
    rsvp_link = link_in(invitation, "/rsvp/")
    assert rsvp_link.startswith(live_server + "/rsvp/")

    page = journey.page
    journey.open_from_mail(rsvp_link)
    assert "Hello Ada Lovelace" in page.content()
    assert "Add to calendar" not in page.content()  # not before an answer
    page.check("input[name=answer][value=yes]")
    page.fill("#dietary_needs", "vegan")
    page.fill("#access_needs", "step-free access")
    page.click("button:has-text('Send my answer')")
    journey.check()
    assert "Your place is confirmed." in page.content()
    assert page.input_value("#dietary_needs") == "vegan" and page.input_value("#access_needs") == "step-free access"

    # Add to calendar: the .ics file, as the browser downloads it.
    page.click("summary:has-text('Add to calendar')")
    journey.check()
    with page.expect_download() as download_info:
        page.click("a:has-text('Apple Calendar, Outlook on your computer (.ics file)')")
    download = download_info.value
    assert download.suggested_filename == f"event-{event.id}.ics"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    [vevent] = Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    assert str(vevent["UID"]) == event.uid
    assert str(vevent["SUMMARY"]) == "Summer Big Room"
    starts = vevent.decoded("DTSTART")
    assert starts.utcoffset() == timedelta(0)  # written in UTC, as Google writes it
    assert starts == datetime(2027, 6, 10, 18, 0, tzinfo=LONDON)
    assert "Chelmsford Civic Centre" in str(vevent["LOCATION"])

    # The confirmation arrives over SMTP too, with the same event as its meeting (text/calendar alternative).
    [confirmation] = delivered(smtp_server, 1)
    assert confirmation["Subject"].startswith("Your place is confirmed")
    [confirmed_event] = Calendar.from_ical(confirmation.get_body(("calendar",)).get_content()).walk("VEVENT")
    assert str(confirmed_event["UID"]) == event.uid

    # Ada signs in with a link mailed to her, and opens My calendar.
    journey.goto("/")
    journey.follow("Sign in", "Email me a sign-in link")
    page.fill("#email", "ada@example.org")
    page.click("button:has-text('Send the link')")
    journey.check()
    [sign_in_mail] = delivered(smtp_server, 2)
    assert sign_in_mail["To"] == "ada@example.org" and sign_in_mail["Subject"] == "Your cop sign-in link"
    journey.open_from_mail(link_in(sign_in_mail, "/sign-in/link/"))
    page.click("main button:has-text('Sign in')")
    journey.check()
    assert "You are signed in." in page.content()
    # She came for her events: the link lands on My calendar (issue 17), not the list of communities.
    assert page.locator("h1").inner_text() == "My calendar"
    coming_up = page.locator("#coming-up tbody tr")
    expect(coming_up).to_have_count(1)
    assert "Summer Big Room" in coming_up.inner_text() and "10 June 2027" in coming_up.inner_text()
    assert "Yes" in coming_up.inner_text()

    # The feed address on the page serves the event, with Ada's answer.
    feed_url = page.input_value("#feed-url")
    assert feed_url.startswith(live_server + "/calendar/") and feed_url.endswith(".ics")
    feed = page.context.request.get(feed_url)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    [listed] = Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(listed["UID"]) == event.uid and str(listed["SUMMARY"]) == "Summer Big Room"
    assert listed.decoded("DTSTART") == datetime(2027, 6, 10, 18, 0, tzinfo=LONDON)
    assert listed["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
