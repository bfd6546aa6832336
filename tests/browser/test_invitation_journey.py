"""The core loop in a real browser: invite, the mail in the dev mailbox, the personal link, RSVP."""
import pytest

from cop.extensions import db
from tests import factories
from tests.invitation_helpers import make_event


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_organiser_invites_and_the_guest_answers_from_the_mail(journey):
    group = factories.community(slug="big-room", name="Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    make_event(group, capacity=1, title="Spring Big Room", attendance_mode="hybrid")
    factories.member(group, someone=factories.person(name="Zed Early", email="zed@example.org"))
    db.session.commit()
    page = journey.page

    journey.sign_in("olga@example.org", "correct horse battery")
    journey.to_event("Big Room", "Spring Big Room")
    journey.follow("Invite people")
    page.check("#who-2")  # only the addresses pasted
    page.fill("#addresses", "not an address")
    page.click("button:has-text('Preview')")
    journey.check()
    assert page.locator(".nhsuk-error-summary").is_visible()
    page.fill("#addresses", "Ada Lovelace <ada@example.org>")
    page.click("button:has-text('Preview')")
    journey.check()
    assert "1 person will be invited" in page.content()
    page.click("button:has-text('Send 1 invitation')")
    journey.check()
    assert "1 invitation sent." in page.content()

    journey.follow("Dev mailbox", "You are invited: Spring Big Room")
    page.click("a[href*='/rsvp/']")
    journey.check()
    assert "Hello Ada Lovelace" in page.content()
    page.check("input[name=answer][value=yes]")
    page.check("input[name=attendance_mode][value=in_person]")
    page.fill("#dietary_needs", "vegetarian")
    page.click("button:has-text('Send my answer')")
    journey.check()
    assert "Your place is confirmed." in page.content()

    journey.to_event("Big Room", "Spring Big Room")
    journey.follow("Guest list")
    assert "Confirmed (1)" in page.content() and "vegetarian" in page.content()
