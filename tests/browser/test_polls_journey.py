"""Date polls in real Chromium (issue 22): a facilitator proposes dates for a set, a member answers from the
link in their mail (no account), the facilitator chooses; every page checked with axe-core."""
import re

import pytest
from sqlalchemy import select

from cop.events.models import SeriesMember
from cop.extensions import db
from cop.mail.models import OutboxMessage
from tests import factories


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_set_chooses_its_dates_by_poll(journey, viewport):
    group = factories.community(slug="big-room", name="Big Room")
    facilitator = factories.member(group, "facilitator", factories.person(name="Siân Llewelyn-Jones",
                                                                          email="sian@example.org"))
    factories.account(facilitator, password="correct horse battery")
    series = factories.series(group, title="Set 1: Arwain ar draws ffiniau", count=1, format="action_learning_set")
    people = [factories.member(group, someone=factories.person(name=n)) for n in ("Zoë Øvergaard", "Nguyễn Thị Lan")]
    for someone in people:
        series.members.append(SeriesMember(person=someone))
    db.session.commit()
    page = journey.page

    journey.sign_in("sian@example.org", "correct horse battery")
    journey.follow("Big Room", "Date polls", "Propose dates")
    page.fill("#title", "Dates for our next sessions")
    page.select_option("#for_set", str(series.id))
    page.fill("#day_1", "2027-03-10")
    page.fill("#starts_1", "09:30")
    page.fill("#ends_1", "12:30")
    page.fill("#day_2", "2027-03-17")
    page.click("button:has-text('Open the poll')")
    journey.check()
    assert page.locator(".nhsuk-error-summary").is_visible()  # date 2 has no times
    page.fill("#starts_2", "13:30")
    page.fill("#ends_2", "16:30")
    page.click("button:has-text('Open the poll')")
    journey.check()
    assert "The poll is open: 2 people have been sent their link." in page.content()

    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == people[0].email)).scalar_one()
    link = re.search(r"http://\S+/polls/\S+", mail.text_body).group(0)
    member = journey.page.context.new_page()
    journey.page = member
    journey.open_from_mail(link)
    member.click("button:has-text('Save my answers')")  # nothing chosen: an error per date
    journey.check()
    assert member.locator(".nhsuk-error-summary").is_visible()
    member.locator("fieldset").nth(0).get_by_label("Yes").check()
    member.locator("fieldset").nth(1).get_by_label("If need be").check()
    member.click("button:has-text('Save my answers')")
    journey.check()
    assert "your answers have been saved" in member.content()

    journey.page = page
    page.reload()
    journey.check()
    assert "Zoë Øvergaard" in page.content()
    page.locator("input[name=options]").first.check()  # the best date first: Wednesday 10 March
    page.click("button:has-text('Hold these dates')")
    journey.check()
    assert "1 session added to Set 1: Arwain ar draws ffiniau" in page.content()
    journey.follow("Set 1: Arwain ar draws ffiniau")
    assert "Wednesday 10 March 2027" in page.content()
