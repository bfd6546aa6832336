"""The organiser reads the demo's community report and an event's report in a real browser, and exports both."""
import csv
import io
import re

import pytest


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_organiser_reads_the_reports_and_exports_them(journey, demo):
    page = journey.page

    journey.sign_in("rachel.okoye@mse-icb.nhs.example", "demo-organiser-2026")
    journey.follow("Mid and South Essex Big Room")
    page.click("a:has-text('Community report')")
    page.wait_for_url("**/communities/mse-big-room/report")
    journey.check()
    assert page.locator("h1").inner_text() == "Did the room mix? Community report"
    assert "12 events held" in page.content()
    # The charts drew (server-side SVG, no script needed) and are named for screen readers.
    assert page.locator("svg.cop-chart[role=img]").count() == 8
    assert page.locator("#trend-attendance-title").text_content().startswith("Attendance and organisations")
    page.click("summary:has-text('Attendance by sector as a table')")
    journey.check()
    assert page.locator("table:has-text('Attendance by sector (the chart')").is_visible()

    with page.expect_download() as download:
        page.click("a:has-text('Download everything in this report (CSV)')")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[0] == ["section", "event_date", "event", "measure", "label", "value"]
    assert ["community totals", "", "", "events", "", "12"] in rows

    page.click("a:has-text('Big Room: frailty and the front door')")
    page.wait_for_url("**/events/*/report")
    journey.check()
    assert "Did the room mix? Big Room: frailty and the front door" in page.content()
    assert page.locator("svg#event-network line.cop-chart__link").count() > 50
    with page.expect_download() as download:
        page.click("a:has-text('Download everything in this report (CSV)')")
    assert "mixing reach share" in open(download.value.path(), encoding="utf-8").read()
    # The feedback from that evening's anonymous form: its follow-ups on the report, its results and their CSV.
    assert page.locator("#follow-ups").is_visible()
    journey.follow("Back to Big Room: frailty and the front door")  # the event's page
    page.click("a:has-text('Feedback results')")
    page.wait_for_url("**/feedback/results")
    journey.check()
    answered, asked = map(int, re.match(r"(\d+) of (\d+) asked", page.locator("#response-rate").inner_text()).groups())
    assert 0 < answered < asked  # the demo's answers, and some left to chase
    assert page.locator("svg.cop-chart").count() >= 4
    with page.expect_download() as download:
        page.click("a:has-text('Download the answers (CSV)')")
    answers = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert len(answers) == 1 + answered  # a header and one row per answer
