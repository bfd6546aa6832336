"""The organiser's evening of work: sign in, import the guest list, create a Big Room through the
event form, invite a filtered part of the community plus a pasted address, and watch the answers
arrive on the guests page as invitees follow their personal links. axe-core on every page."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cop.extensions import db
from cop.mail.models import OutboxMessage
from tests import factories

GUEST_LIST = (
    "name,email,organisation,sector,place,profession\n"
    "Ada Lovelace,ada@example.org,Southend Foodbank,VCSE,Southend,Social care\n"
    "Bo Chen,bo@example.org,Basildon Foodbank,VCSE,Basildon,Social care\n"
    "Cy Grant,cy@example.org,Thurrock Council,Local authority and social care,Thurrock,Social work\n"
)
RSVP_LINK = re.compile(r"https?://\S+/rsvp/[A-Za-z0-9_\-]+")


def rsvp_link_for(address: str) -> str:
    """The personal link from the invitation the outbox holds for this address."""
    db.session.expire_all()
    bodies = db.session.scalars(select(OutboxMessage.text_body).where(
        OutboxMessage.recipient == address, OutboxMessage.subject.startswith("You are invited"))).all()
    assert len(bodies) == 1, f"one invitation to {address}, not {len(bodies)}"
    return RSVP_LINK.search(bodies[0]).group(0)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_organiser_creates_a_big_room_invites_and_watches_answers_arrive(journey, browser, tmp_path):
    group = factories.community(slug="big-room", name="Mid and South Essex Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    factories.venue(group, name="Chelmsford Civic Centre", capacity=120)
    db.session.commit()
    page = journey.page

    journey.sign_in("olga@example.org", "correct horse battery")

    # The guest list, from the organiser's spreadsheet.
    journey.follow("Mid and South Essex Big Room", "Import a guest list")
    upload = tmp_path / "guests.csv"
    upload.write_text(GUEST_LIST)
    page.set_input_files("#guest_list", str(upload))
    page.click("button:has-text('Check the file')")
    journey.check()
    assert "3 people will be added" in page.content()
    page.click("button:has-text('Import these people')")
    journey.check()
    assert "Imported the guest list: 3 added, 0 updated." in page.content()

    # A Big Room: the format first, then the form with its defaults.
    journey.to_community("Mid and South Essex Big Room")
    journey.follow("Events in Mid and South Essex Big Room", "Create an event")
    page.get_by_label("Big Room", exact=True).check()
    page.click("button:has-text('Continue')")
    journey.check()
    page.fill("#title", "March Big Room")
    page.fill("#day", "2027-03-12")  # a date input: Chromium submits ISO dates
    page.fill("#starts", "18:00")
    page.fill("#ends", "21:00")
    page.select_option("#venue", label="Chelmsford Civic Centre")
    page.fill("#capacity", "500")  # more than the venue holds: refused, nothing lost
    page.check("#publish")
    page.click("button:has-text('Save')")
    journey.check()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert "Capacity cannot be more than the venue holds (120)" in page.content()
    assert page.input_value("#title") == "March Big Room"
    page.fill("#capacity", "80")
    page.click("button:has-text('Save')")
    journey.check()
    assert "March Big Room has been published." in page.content(), page.locator(".nhsuk-error-summary").inner_text()
    assert re.search(r"/events/(\d+)$", page.url)  # the new event's own page
    assert "12 March 2027" in page.content()

    # Invite the VCSE people from the list, and one address pasted from an email.
    journey.follow("Invite people")
    page.check("input[name=who][value=matching]")
    page.select_option("#sector", "vcse")
    page.fill("#addresses", "Dee Okafor <dee@example.org>")
    page.click("button:has-text('Preview')")
    journey.check()
    assert "3 people will be invited" in page.content()
    page.click("button:has-text('Send 3 invitations')")
    journey.check()
    assert "3 invitations sent." in page.content()
    assert "Not answered yet (3)" in page.content()
    assert "Cy Grant" not in page.content()  # not VCSE: not invited

    # The invitees answer from their own links, in a browser of their own.
    answers = {"ada@example.org": ("yes", "vegetarian"), "bo@example.org": ("no", ""),
               "dee@example.org": ("maybe", "")}
    invitee = browser.new_context(viewport={"width": 390, "height": 844})  # on a phone
    try:
        for address, (answer, dietary) in answers.items():
            phone = invitee.new_page()
            phone.goto(rsvp_link_for(address))
            phone.check(f"input[name=answer][value={answer}]")
            if dietary:
                phone.fill("#dietary_needs", dietary)
            phone.click("button:has-text('Send my answer')")
            expect(phone.locator("main")).to_contain_text("Thank you: your answer has been saved.")
            phone.close()
    finally:
        invitee.close()

    page.reload()
    journey.check()
    content = page.content()
    for heading in ("Confirmed (1)", "Maybe (1)", "Not coming (1)", "Not answered yet (0)"):
        assert heading in content, heading
    assert "Capacity 80: 79 places free." in content
    for section, name in (("confirmed", "Ada Lovelace"), ("maybe", "Dee Okafor"), ("no", "Bo Chen")):
        table = page.locator(f"h2#{section} + table")
        assert name in table.inner_text(), (section, name)
    assert page.locator("table", has=page.locator("caption", has_text="Dietary needs")) \
        .locator("tr", has_text="vegetarian").locator("td").last.inner_text() == "1"
