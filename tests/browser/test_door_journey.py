"""The door on a 390 px phone (issue 17, item 3): found as you type, large targets, a wrong tap undone."""
import pytest

from cop.extensions import db
from tests import factories


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_volunteer_checks_people_in_one_handed_and_undoes_a_wrong_tap(journey):
    group = factories.community(slug="big-room", name="Big Room")
    volunteer = factories.member(group, "facilitator", factories.person(email="vic@example.org"))
    factories.account(volunteer, password="correct horse battery")
    event = factories.event(group, title="Winter Big Room")
    for name in ("Ben Walker", "Ben Wallace", "Cleo Vance", "Dev Orchard"):
        factories.invitation(event, factories.member(group, someone=factories.person(name=name)),
                             answer="yes", place="confirmed")
    db.session.commit()
    page = journey.page
    journey.sign_in("vic@example.org", "correct horse battery")
    journey.to_event("Big Room", "Winter Big Room")
    journey.follow("Check people in")
    page.fill("#q", "ben wal")  # no Find pressed: the list narrows as the volunteer types
    assert page.locator(".cop-door-row:visible").count() == 2
    page.fill("#q", "ben walk")
    assert page.locator(".cop-door-row:visible").count() == 1
    button = page.get_by_role("button", name="Check in Ben Walker")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 88  # a thumb's target
    page.fill("#q", "ben wallace")
    page.get_by_role("button", name="Check in Ben Wallace").click()  # the wrong Ben
    journey.check()
    page.get_by_role("button", name="Undo the check-in of Ben Wallace").click()
    journey.check()
    assert "Ben Wallace's check-in has been undone." in page.content()
    page.get_by_role("button", name="Check in Ben Walker").click()
    journey.check()
    assert "1 here, of 4" in page.content()
    assert "Ben Wallace check-in undone by" in page.locator("#door-history").inner_text()
