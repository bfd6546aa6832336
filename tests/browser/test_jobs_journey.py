"""Long work in a real browser (issue 19): inviting many people is a job whose page shows a progress bar,
followed until it is done, every page checked with axe-core. (The print pack's job is in the facilitator's
journey.)"""
import pytest

from cop.extensions import db
from cop.invitations.models import Invitation
from tests import factories
from tests.invitation_helpers import make_event


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_organiser_invites_everyone_and_follows_the_job_to_the_guest_list(journey, jobs_worker, app):
    app.config["INVITE_IN_BACKGROUND_OVER"] = 3  # "many" for this small community
    group = factories.community(slug="big-room", name="Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    make_event(group, capacity=50, title="Autumn Big Room")
    for n in range(8):
        factories.member(group, someone=factories.person(name=f"Guest Number {n}"))
    db.session.commit()
    page = journey.page

    journey.sign_in("olga@example.org", "correct horse battery")
    journey.to_event("Big Room", "Autumn Big Room")
    journey.follow("Invite people")
    page.check("#who-0")  # everyone in the community
    page.click("button:has-text('Preview')")
    journey.check()
    page.click("button:has-text('Send 9 invitations')")
    page.wait_for_load_state()
    journey.check()
    assert page.locator("progress#job-progress").is_visible() and "Waiting for a worker" in page.content()
    assert db.session.query(Invitation).count() == 0  # the request only queued the work

    jobs_worker()
    page.wait_for_selector("text=9 invitations sent", timeout=60_000)
    journey.check()
    journey.follow("Back to where this started")
    assert "Guest Number 7" in page.content()
    db.session.expire_all()
    assert db.session.query(Invitation).count() == 9


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_organiser_imports_a_large_guest_list_and_follows_the_job(journey, jobs_worker, app, tmp_path):
    app.config["IMPORT_IN_BACKGROUND_OVER"] = 5  # "large" for this test
    group = factories.community(slug="big-room", name="Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    db.session.commit()
    page = journey.page
    upload = tmp_path / "guests.csv"
    upload.write_text("name,email,organisation,sector\n" + "".join(
        f"Siôn ap Ifan {n:03d},imported{n}@example.org,Basildon Foodbank,vcse\n" for n in range(230)))

    journey.sign_in("olga@example.org", "correct horse battery")
    journey.follow("Big Room", "Import a guest list")
    page.set_input_files("#guest_list", str(upload))
    page.click("button:has-text('Check the file')")
    journey.check()
    assert "230 people will be added" in page.content() and "People 1 to 100 of 230" in page.content()
    # A page of 100 at a time (issue 19): the rest by the preview's own buttons, then import from any page.
    page.click("button:has-text('Next page of the people')")
    page.wait_for_load_state()
    journey.check()
    assert "People 101 to 200 of 230" in page.content() and "Siôn ap Ifan 150" in page.content()
    assert "Siôn ap Ifan 050" not in page.content()
    page.click("button:has-text('Import these people')")
    page.wait_for_load_state()
    journey.check()
    assert page.locator("progress#job-progress").is_visible() and "Waiting for a worker" in page.content()

    jobs_worker()
    page.wait_for_selector("text=Imported the guest list: 230 added, 0 updated.", timeout=60_000)
    journey.check()
    journey.follow("Back to where this started")
    assert "Siôn ap Ifan 011" in page.content()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_javascript_the_progress_page_refreshes_itself_when_asked(browser, live_server, jobs_worker, app,
                                                                          request):
    """The bar works without JavaScript (issue 19): the person asks the page to refresh itself, and it
    follows the job to its end with no more clicks."""
    from tests.browser.conftest import VIEWPORTS, Journey

    app.config["INVITE_IN_BACKGROUND_OVER"] = 3
    group = factories.community(slug="cymuned", name="Cymuned Iechyd Caerdydd")
    factories.account(factories.member(group, "organiser", factories.person(email="siân@example.org")),
                      password="correct horse battery")
    make_event(group, capacity=50, title="Ystafell Fawr yr Hydref")
    for n in range(5):
        factories.member(group, someone=factories.person(name=f"Gwestai Rhif {n}"))
    db.session.commit()
    context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True, java_script_enabled=False)
    journey = Journey(context.new_page(), live_server, request.node.name.split("[")[0])
    page = journey.page
    page.set_default_timeout(20_000)
    try:
        journey.sign_in("siân@example.org", "correct horse battery")
        journey.to_event("Cymuned Iechyd Caerdydd", "Ystafell Fawr yr Hydref")
        journey.follow("Invite people")
        page.check("#who-0")
        page.click("button:has-text('Preview')")
        page.click("button:has-text('Send 6 invitations')")
        page.wait_for_load_state()
        assert page.locator("progress#job-progress").is_visible()
        journey.follow("Refresh this page every 2 seconds until it ends")
        assert "This page refreshes itself" in page.content()

        jobs_worker()
        page.wait_for_selector("text=6 invitations sent", timeout=60_000)  # reloaded by itself: no click
        journey.check()
        assert "This page refreshes itself" not in page.content()
    finally:
        context.close()
    assert journey.violations == [], "accessibility violations:\n" + "\n".join(journey.violations)
