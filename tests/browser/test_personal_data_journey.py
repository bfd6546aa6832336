"""Personal data in the browser: a person downloads their own; an organiser cannot erase someone who
signs in (only they or a site administrator can), and erases a guest nobody else holds, after the
confirmation the form asks for. axe-core on every page."""
import json

import pytest

from cop.extensions import db
from tests import factories
from tests.browser.conftest import Journey


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_person_downloads_their_data_and_an_organiser_erases_someone(journey, browser):
    group = factories.community(slug="big-room", name="Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    leaving = factories.member(group, someone=factories.person(name="Zeb Leaving", email="zeb@example.org",
                                                               dietary_needs="vegan"))
    factories.account(leaving, password="another good password")
    factories.member(group, "guest", factories.person(name="Yan Guest", email="yan@example.org"))
    db.session.commit()
    page = journey.page

    # Zeb downloads his data from "Your data".
    zeb_context = browser.new_context(bypass_csp=True, accept_downloads=True)
    zeb = zeb_context.new_page()
    zeb_journey = Journey(zeb, journey.base_url, "personal-data-self")
    zeb_journey.sign_in("zeb@example.org", "another good password")
    zeb_journey.follow("Your data")
    journey.violations += zeb_journey.violations
    with zeb.expect_download() as download:
        zeb.click("a:has-text('Download your data')")
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["profile"]["email"] == "zeb@example.org" and data["memberships"][0]["dietary_needs"] == "vegan"
    zeb_context.close()

    journey.sign_in("olga@example.org", "correct horse battery")
    journey.to_community(group.name)
    journey.follow("People in this community", "Edit Zeb Leaving")
    page.click("a:has-text(\"Erase Zeb Leaving's personal data\")")
    journey.check()
    assert "only they (under \"Your data\") or a site administrator" in page.locator("main").inner_text()
    assert page.locator("button:has-text('Erase their personal data')").count() == 0

    journey.to_community(group.name)
    journey.follow("People in this community", "Edit Yan Guest")
    page.click("a:has-text(\"Erase Yan Guest's personal data\")")
    journey.check()
    page.click("button:has-text('Erase their personal data')")
    journey.check()  # the error summary: the confirmation was not ticked
    assert page.locator(".nhsuk-error-summary").is_visible()
    page.check("#understood")
    page.click("button:has-text('Erase their personal data')")
    journey.check()
    assert "Yan Guest's personal data has been erased." in page.content()
    assert "Erased person" in page.locator("tbody").inner_text()
