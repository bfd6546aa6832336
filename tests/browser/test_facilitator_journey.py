"""The facilitator's evening: a three-round plan for a Big Room, a person moved by hand, a
no-show taken off after check-in, and the printed pack. axe-core on every page."""
import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from cop.clock import utcnow
from cop.extensions import db
from tests import factories

NAMES = ["Ada Quill", "Ben Marsh", "Cleo Vance", "Dev Orchard", "Esi Brook", "Fynn Hale", "Gia Thorn",
         "Hal Pike", "Ida Crane", "Jon Reed", "Kai Moss", "Lea Frost"]
NO_SHOW = "Lea Frost"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_facilitator_seats_moves_reseats_and_prints(journey, jobs_worker):
    group = factories.community(slug="big-room", name="Mid and South Essex Big Room")
    facilitator = factories.member(group, "facilitator", factories.person(name="Faye Facilitator",
                                                                          email="faye@example.org"))
    factories.account(facilitator, password="correct horse battery")
    organisations = [factories.organisation(name=name, sector=sector) for name, sector in (
        ("Basildon Hospital", "acute"), ("Thurrock Council", "local_authority"),
        ("Southend Foodbank", "vcse"), ("Mid and South Essex ICB", "icb"))]
    starts = utcnow().replace(microsecond=0) + timedelta(hours=1)  # tonight
    event = factories.event(group, title="December Big Room", starts_at=starts,
                            venue=factories.venue(group, tables=[5, 5, 5]))
    for n, name in enumerate(NAMES):
        someone = factories.member(group, someone=factories.person(
            name=name, org=organisations[n % 4], profession=("nursing", "medicine", "social_work")[n % 3]))
        factories.invitation(event, someone, answer="yes", place="confirmed")
    db.session.commit()
    page = journey.page

    journey.sign_in("faye@example.org", "correct horse battery")

    # A three-round plan from the confirmed places, at three tables of five (room to move people).
    journey.to_event("Mid and South Essex Big Room", "December Big Room")
    journey.follow("Seating plan")
    page.fill("#tables", "5, 5, 5")
    page.fill("#rounds", "3")
    page.click("button:has-text('Generate plan')")
    journey.check()
    assert page.locator("h3", has_text="Round 3").is_visible()
    assert page.locator("table.cop-seating-table").count() == 9  # three tables in each of three rounds
    # The night's actions come first (issue 17): re-seating is on the first screen, the rounds are folded.
    assert page.get_by_role("button", name="Re-seat from check-in").bounding_box()["y"] < 900
    assert not page.locator("table.cop-seating-table").first.is_visible()

    # Move Ada to table 3 in round 1, by hand.
    ada = page.locator("table.cop-seating-table[data-round='1'] tr", has_text="Ada Quill")
    before = ada.locator("xpath=ancestor::table").get_attribute("data-table")
    target = "3" if before != "3" else "1"
    move = page.locator("form", has=page.locator("legend", has_text="Move a person"))
    move.locator("input[name='person']").fill("Ada Quill (Basildon Hospital)")  # a name from the page's list
    move.locator("select[name='round']").select_option("1")
    move.locator("input[name='table']").fill(target)
    move.locator("button", has_text="Move").click()
    journey.check()
    moved_to = page.locator("table.cop-seating-table[data-round='1'] tr", has_text="Ada Quill") \
        .locator("xpath=ancestor::table").get_attribute("data-table")
    assert moved_to == target

    # At the door: everyone but one arrives.
    journey.follow("Back to December Big Room", "Check people in")
    for name in NAMES:
        if name != NO_SHOW:
            page.click(f"button:has-text('Check in {name}')")
    journey.check()
    assert "11 here, of 12" in page.content()

    # Re-seat from check-in: the no-show comes off, everyone else keeps their seat where possible.
    journey.follow("Back to December Big Room", "Seating plan")
    page.click("button:has-text('Re-seat from check-in')")
    journey.check()
    assert "1 not here taken off" in page.content()
    seated = page.locator("table.cop-seating-table").all_text_contents()  # folded rounds too
    assert not any(NO_SHOW in table for table in seated)
    assert sum(table.count("Ada Quill") for table in seated) == 3

    # The printed pack: a real PDF with the people in it, and without the no-show.
    journey.follow("Print view of version")
    page.go_back()  # the browser's Back button
    # The pack is made by a job (issue 19): its page shows a progress bar and follows the work (JavaScript;
    # without it, a "Check progress" link) until the pack is ready; downloading it marks the plan printed, so
    # that is a button (a POST).
    page.click("button:has-text('The whole pack (PDF)')")
    page.wait_for_load_state()
    journey.check()
    assert page.locator("progress#job-progress").is_visible()
    assert "Waiting for a worker" in page.content()
    assert not page.locator(".cop-job-check").is_visible()  # JavaScript follows the job: no link needed
    jobs_worker()
    page.wait_for_selector("text=The print pack is ready", timeout=60_000)
    page.wait_for_load_state()
    journey.check()
    with page.expect_download() as download:
        page.click("button:has-text('Download')")
    assert download.value.suggested_filename.endswith(".pdf")
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert all(name in text for name in NAMES if name != NO_SHOW)
    assert NO_SHOW not in text
