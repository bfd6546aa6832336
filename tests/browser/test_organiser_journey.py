"""The organiser's first journey: sign in, import the guest list, find people."""
import pytest

from cop.extensions import db
from tests import factories

GUEST_LIST = (
    "name,email,organisation,sector,place,profession\n"
    "Ada Lovelace,ada@example.org,Thurrock Council,Local authority and social care,Thurrock,Social work\n"
    "Bo Chen,bo@example.org,Basildon Foodbank,VCSE,Basildon,Social care\n"
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_organiser_signs_in_imports_a_guest_list_and_finds_people(journey, tmp_path):
    group = factories.community(slug="big-room", name="Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    db.session.commit()
    page = journey.page

    journey.goto("/")
    journey.follow("Sign in")
    page.fill("#email", "olga@example.org")
    page.fill("#password", "wrong password")
    page.click("main button:has-text('Sign in')")
    journey.check()  # the error summary and field error
    assert page.locator(".nhsuk-error-summary").is_visible()
    page.fill("#password", "correct horse battery")
    page.click("main button:has-text('Sign in')")

    journey.follow("Big Room", "Import a guest list")
    upload = tmp_path / "guests.csv"
    upload.write_text(GUEST_LIST)
    page.set_input_files("#guest_list", str(upload))
    page.click("button:has-text('Check the file')")
    journey.check()
    assert "2 people will be added" in page.content()
    page.click("button:has-text('Import these people')")
    journey.check()
    assert "Imported the guest list: 2 added, 0 updated." in page.content()

    page.select_option("#sector", "vcse")
    page.click("button:has-text('Find')")
    journey.check()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "Bo Chen" in rows.first.inner_text()

    # Keyboard: the skip link is the first thing a Tab reaches.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
