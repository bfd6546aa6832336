"""The organiser's approval journey (issue 23, item 2): registrations wait for approval; two people
register and confirm from the mails a real SMTP server received; the organiser filters for organisations
new to the network, approves one, declines the other. axe-core on every page."""
from datetime import datetime

import pytest
from playwright.sync_api import expect

from cop.extensions import db
from cop.registration import registering
from tests import factories
from tests.browser.test_attendee_smtp_journey import app, delivered, link_in  # noqa: F401  (app: the fixture)
from tests.smtp import smtp_server  # noqa: F401  (the fixture)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_organiser_approves_and_declines_registrations_in_bulk(journey, smtp_server, live_server):  # noqa: F811
    group = factories.community(slug="big-room", name="Mid and South Essex Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    factories.member(group, someone=factories.person(org=factories.organisation(name="Basildon Hospital")))
    event = factories.event(group, title="Summer Big Room", starts_at=datetime(2027, 6, 10, 17, 0), capacity=60)
    db.session.commit()
    page = journey.page
    journey.sign_in("olga@example.org", "correct horse battery")
    journey.to_event("Mid and South Essex Big Room", "Summer Big Room")
    journey.follow("Share a registration link")
    page.check("#needs_approval")
    page.click("button:has-text('Save')")
    journey.check()
    assert "Registrations now wait for your approval." in page.content()

    for name, email, organisation in (("Nia New", "nia@example.org", "Thurrock Men's Shed"),
                                      ("Kim Known", "kim@example.org", "Basildon Hospital")):
        registering.register(event, registering.RegistrationDetails(
            name=name, email=email, organisation=organisation, profession="social_work"), "linkedin")
        db.session.commit()
    for mail in delivered(smtp_server, 0):
        other = journey.page.context.browser.new_context()
        confirm_page = other.new_page()
        confirm_page.goto(link_in(mail, "/register/confirm/"))
        confirm_page.click("button:has-text('Confirm my place')")
        expect(confirm_page.locator("h1")).to_contain_text("we will confirm your place")
        other.close()

    journey.to_event("Mid and South Essex Big Room", "Summer Big Room")
    journey.follow("Share a registration link", "Registrations to approve")
    assert "Nia New" in page.content() and "Kim Known" in page.content() and "Social work" in page.content()
    page.click("a:has-text('Show only organisations new to this network')")
    journey.check()
    assert "Nia New" in page.content() and "Kim Known" not in page.content()
    page.check("input[name=registration]")
    page.click("button:has-text('Approve the ticked')")
    journey.check()
    assert "1 registration approved" in page.content()
    journey.to_event("Mid and South Essex Big Room", "Summer Big Room")
    journey.follow("Share a registration link", "Registrations to approve")
    page.check("input[name=registration]")
    page.click("button:has-text('Decline the ticked')")
    journey.check()
    assert "1 registration declined" in page.content() and "Nobody is waiting for approval." in page.content()
    subjects = {(m["To"], m["Subject"].split(":")[0]) for m in delivered(smtp_server, 2)}
    assert subjects == {("nia@example.org", "Your place is confirmed"),
                        ("kim@example.org", "About your registration for Summer Big Room")}
