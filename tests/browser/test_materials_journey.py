"""Materials in real Chromium (issue 22): the organiser adds slides and a recording from the event page, tells
people, and someone who came finds them on the event page; every page checked with axe-core."""
import pytest
from sqlalchemy import select

from cop.events.models import Attendance
from cop.extensions import db
from cop.mail.models import OutboxMessage
from tests import factories


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_slides_and_a_recording_reach_those_who_came(journey, app, tmp_path):
    app.config["MATERIALS_FOLDER"] = str(tmp_path)
    group = factories.community(slug="big-room", name="Big Room")
    organiser = factories.member(group, "organiser", factories.person(email="olga@example.org"))
    factories.account(organiser, password="correct horse battery")
    came = factories.member(group, someone=factories.person(name="Zoë Øvergaard", email="zoe@example.org"))
    factories.account(came, password="correct horse battery")
    event = factories.event(group, title="Big Room: eiddilwch")
    factories.invitation(event, came, answer="yes", place="confirmed")
    db.session.flush()
    db.session.add(Attendance(event_id=event.id, person_id=came.id))
    db.session.commit()
    slides = tmp_path / "sleidiau.pdf"
    slides.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page = journey.page

    journey.sign_in("olga@example.org", "correct horse battery")
    journey.to_event("Big Room", "Big Room: eiddilwch")
    journey.follow("Materials: add slides, recordings and links, and tell people")
    page.click("button:has-text('Add')")
    journey.check()
    assert page.locator(".nhsuk-error-summary").is_visible()
    page.fill("#title", "Sleidiau’r noson")
    page.set_input_files("#upload", str(slides))
    page.click("button:has-text('Add')")
    journey.check()
    page.fill("#title", "Recording")
    page.fill("#url", "https://video.example.org/eiddilwch")
    page.check("input[value=community]")
    page.click("button:has-text('Add')")
    journey.check()
    page.click("button:has-text('the materials are up')")
    journey.check()
    assert "1 person has been told" in page.content()
    assert db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == "zoe@example.org")).first()

    page.click("button:has-text('Sign out')")
    journey.sign_in("zoe@example.org", "correct horse battery")
    journey.follow("My calendar", "Big Room: eiddilwch")
    assert "Sleidiau’r noson" in page.content() and "Recording" in page.content()
    journey.follow("All materials from this event")
