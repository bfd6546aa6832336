"""Feedback in a real browser: the request in the dev mailbox, answering from its link without an
account, then the organiser's results page with its SVG charts, and the form editor."""
import pytest

from cop.clock import utcnow
from cop.feedback import answering, asking
from tests import factories
from tests.feedback_helpers import links_by_person, past_world, question


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_attendee_answers_from_the_mail_and_the_organiser_reads_the_results(journey):
    world = past_world(anonymous=True)
    organiser = world["organiser"]
    organiser.email = "olga@example.org"
    factories.account(organiser, password="correct horse battery")
    amira, ben = world["people"]["amira"], world["people"]["ben"]
    asking.send_due_feedback(utcnow())  # BASE_URL is the live server's now, so the links lead there
    page = journey.page

    journey.goto("/")
    journey.follow("Dev mailbox")
    page.locator("tr", has_text=amira.email).locator("a:has-text('How was it? Spring Big Room')").click()
    journey.check()
    page.click("a[href*='/feedback/']")
    journey.check()
    assert "How was Spring Big Room?" in page.content() and "This form is anonymous" in page.content()
    page.click("button:has-text('Send my feedback')")  # the overall rating is required
    journey.check()
    assert page.locator(".nhsuk-error-summary").is_visible()
    page.check("input[name^=q][value='4'] >> nth=0")
    page.fill("input[inputmode=numeric]", "3")
    page.check(f"input[type=checkbox][value='{ben.id}']")  # at Amira's table
    page.click("summary:has-text('Anyone else who was there')")
    page.check(f"input[type=checkbox][value='{world['people']['cara'].id}']")
    page.fill("textarea >> nth=0", "Call the foodbank before discharge.")
    journey.check()
    page.click("button:has-text('Send my feedback')")
    journey.check()
    assert "Your feedback on Spring Big Room has been sent." in page.content()
    assert "already answered" not in page.content()

    # A second attendee answers (without the browser), so the charts have more than one answer.
    overall = question(world["survey"], text="Overall, how would you rate the evening?")
    answering.submit_feedback(links_by_person()[ben.email], {str(overall.id): 5})

    journey.sign_in("olga@example.org", "correct horse battery")
    journey.to_event("Big Room", "Spring Big Room")
    page.click("a:has-text('Feedback results')")
    journey.check()
    content = page.content()
    assert "2 of 5 asked (40%)" in content and "Call the foodbank before discharge." in content
    assert page.locator("svg.cop-chart").count() >= 5
    journey.follow("Back to Spring Big Room")
    journey.follow("Feedback form", exact=True)
    # The links have gone out saying "anonymous": the choice is shown fixed, and says why.
    assert "Fixed: the form has been sent to people" in page.content()
    assert page.locator("input[name=privacy][value=anonymous]").is_checked()
    assert all(page.locator("input[name=privacy]").nth(i).is_disabled() for i in range(2))
    page.click("a:has-text('Add a question')")
    journey.check()
    page.check("input[name=kind][value=single]")
    page.fill("#text", "Was the venue easy to reach?")
    page.fill("#options", "Yes\nNo")
    page.click("button:has-text('Save question')")
    journey.check()
    assert "Was the venue easy to reach?" in page.content()

    # After the closing date a link that was never used says so.
    from cop.clock import utcnow as now
    from cop.extensions import db

    world["survey"].closes_at = now()
    db.session.commit()
    journey.open_from_mail(f"{journey.base_url}/feedback/{links_by_person()[world['people']['cara'].email]}")
    assert "Feedback has closed" in page.content()
