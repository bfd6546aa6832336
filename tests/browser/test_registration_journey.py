"""Open registration from a shared link, on a phone (issue 23): the organiser makes a LinkedIn link; a
person who sees the post opens it on their phone without an account, registers, confirms from the mail
that a real SMTP server (aiosmtpd on 127.0.0.1) received, gets the invited guest's answer page and the
.ics; the organiser's event report counts them under linkedin. axe-core on every page."""
from datetime import datetime

import pytest
from icalendar import Calendar

from cop.extensions import db
from tests import factories
from tests.browser.conftest import Journey
from tests.browser.test_attendee_smtp_journey import app, delivered, link_in  # noqa: F401  (app: the fixture)
from tests.smtp import smtp_server  # noqa: F401  (the fixture)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_someone_registers_from_a_shared_link_on_a_phone_confirms_from_the_mail_and_gets_the_ics(
        journey, browser, smtp_server, live_server, tmp_path):  # noqa: F811
    group = factories.community(slug="big-room", name="Mid and South Essex Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    factories.member(group, someone=factories.person(org=factories.organisation(name="Basildon Hospital")))
    venue = factories.venue(group, name="Chelmsford Civic Centre")
    event = factories.event(group, title="Summer Big Room", starts_at=datetime(2027, 6, 10, 17, 0), venue=venue,
                            capacity=60, has_meal=True)
    db.session.commit()

    # The organiser names a LinkedIn link on the share page.
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    organiser = Journey(context.new_page(), live_server, journey.name + "-organiser")
    organiser.sign_in("olga@example.org", "correct horse battery")
    organiser.to_event("Mid and South Essex Big Room", "Summer Big Room")
    organiser.follow("Share a registration link")
    organiser.page.fill("#channel", "linkedin")
    organiser.page.click("button:has-text('Add a link')")
    organiser.check()
    shared = organiser.page.locator("#shared-links tr:has-text('linkedin') code").inner_text()
    assert shared == f"{live_server}/events/{event.id}/register?via=linkedin"

    # Someone sees the post and opens the link on their phone: no account, no sign-in.
    phone = browser.new_context(bypass_csp=True, **PHONE)
    person = Journey(phone.new_page(), live_server, journey.name + "-phone")
    page = person.page
    person.open_from_mail(shared)  # a link in a LinkedIn post: opened as given
    assert page.locator('meta[property="og:title"]').get_attribute("content") == "Summer Big Room"
    page.click("button:has-text('Register')")  # empty: the error summary, nothing written
    person.check()
    assert "There is a problem" in page.content() and "Enter your full name" in page.content()
    page.fill("#name", "Priya Shah")
    page.fill("#email", "priya@example.org")
    page.fill("#organisation", "Grays Community Pharmacy")
    page.select_option("#sector", "primary_care")
    page.fill("#place", "Grays")
    page.select_option("#profession", "pharmacy")
    page.fill("#dietary_needs", "vegetarian")
    page.click("button:has-text('Register')")
    person.check()
    assert "Check your email" in page.content()

    [mail] = delivered(smtp_server, 0)
    assert mail["To"] == "priya@example.org" and mail["Subject"] == "Confirm your place at Summer Big Room"
    person.open_from_mail(link_in(mail, "/register/confirm/"))
    page.click("button:has-text('Confirm my place')")
    person.check()
    assert "Your place is confirmed." in page.content()
    assert page.input_value("#dietary_needs") == "vegetarian"

    page.click("summary:has-text('Add to calendar')")
    person.check()
    with page.expect_download() as download_info:
        page.click("a:has-text('Apple Calendar, Outlook on your computer (.ics file)')")
    saved = tmp_path / "event.ics"
    download_info.value.save_as(saved)
    [vevent] = Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    assert str(vevent["UID"]) == event.uid and str(vevent["SUMMARY"]) == "Summer Big Room"
    [confirmation] = delivered(smtp_server, 1)
    assert confirmation["Subject"].startswith("Your place is confirmed")
    assert "invite.ics" in {part.get_filename() for part in confirmation.iter_attachments()}
    phone.close()

    # The organiser's event report counts Priya under linkedin.
    organiser.to_event("Mid and South Essex Big Room", "Summer Big Room")
    organiser.follow("Event report")
    row = organiser.page.locator("#channels-table tr:has-text('linkedin')").inner_text()
    assert row.split() == ["linkedin", "1", "1", "0", "0", "0"]
    context.close()
    journey.violations += organiser.violations + person.violations


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_someone_joins_the_network_from_its_public_page_on_a_phone(browser, smtp_server, live_server):  # noqa: F811
    group = factories.community(slug="big-room", name="Mid and South Essex Big Room")
    group.description = "Health and care people of Mid and South Essex, meeting monthly."
    factories.member(group, "organiser")
    factories.event(group, title="Summer Big Room", starts_at=datetime(2027, 6, 10, 17, 0))
    db.session.commit()
    phone = browser.new_context(bypass_csp=True, **PHONE)
    person = Journey(phone.new_page(), live_server, "test_someone_joins_the_network-phone")
    page = person.page
    person.open_from_mail(live_server + "/communities/big-room/join")  # the network's page, shared in a post
    assert "Summer Big Room" in page.locator("#coming-up").inner_text()
    page.click("button:has-text('Join this network')")
    person.check()
    assert "Enter your full name" in page.content()
    page.fill("#name", "Sam Tilbury")
    page.fill("#email", "sam@example.org")
    page.fill("#organisation", "Tilbury Food Bank")
    page.select_option("#sector", "vcse")
    page.click("button:has-text('Join this network')")
    person.check()
    [mail] = delivered(smtp_server, 0)
    assert mail["Subject"] == "Confirm you want to join Mid and South Essex Big Room"
    person.open_from_mail(link_in(mail, "/register/confirm/"))
    page.click("button:has-text('Confirm')")
    person.check()
    assert "we will confirm your membership" in page.content()
    phone.close()
    assert person.violations == []
