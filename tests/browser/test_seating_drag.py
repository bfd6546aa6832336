"""Drag and drop on the seating plan in real Chromium: a move and a swap persist, the page passes axe,
and the script runs under cop's own Content-Security-Policy."""
import pytest

from cop.extensions import db
from cop.seating import plans
from tests import factories
from tests.browser.conftest import Journey


def _seats(plan):
    db.session.expire_all()
    return {(s.person_id, s.round): s.table for s in plan.seats}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_facilitator_drags_a_person_to_another_table_and_onto_another_person(journey, browser, live_server):
    group = factories.community(slug="big-room")
    facilitator = factories.member(group, "facilitator", factories.person(email="fran@example.org"))
    factories.account(facilitator, password="correct horse battery")
    event = factories.event(group, title="Spring Big Room")
    organisations = [factories.organisation(sector=s) for s in ("acute", "vcse", "icb")]
    people = [factories.member(group, someone=factories.person(name=f"Guest {n:02d}", org=organisations[n % 3]))
              for n in range(10)]
    for someone in people:
        factories.invitation(event, someone, answer="yes", place="confirmed")
    db.session.commit()
    plan = plans.generate(event, plans.SeatingChoices(tables=[4, 4, 4], rounds=1), facilitator,
                          plans.Budget(iterations=500))
    db.session.commit()
    page = journey.page

    journey.sign_in("fran@example.org", "correct horse battery")
    journey.to_event(group.name, "Spring Big Room")
    journey.follow("Seating plan")
    assert page.locator(".cop-drag-hint").is_visible()
    journey.follow("Round 1")  # the jump link opens the folded round

    # A move: someone from a full table to a table with a free seat (dropped on its caption).
    before = _seats(plan)
    counts = {t: sum(1 for table in before.values() if table == t) for t in (1, 2, 3)}
    free = next(t for t in (1, 2, 3) if counts[t] < 4)
    mover = next(p for p in people if before[(p.id, 1)] != free)
    with page.expect_navigation():
        page.locator(f"table[data-table='{before[(mover.id, 1)]}'] tr[data-person='{mover.id}']").drag_to(
            page.locator(f"table[data-table='{free}'] caption"))
    journey.check()
    assert "Moved." in page.content()
    after = _seats(plan)
    assert after[(mover.id, 1)] == free
    others_after = {k: v for k, v in after.items() if k != (mover.id, 1)}
    assert others_after == {k: v for k, v in before.items() if k != (mover.id, 1)}
    assert page.locator(f"table[data-table='{free}'] tr[data-person='{mover.id}']").count() == 1

    # A swap: dropped onto a person at another table.
    other = next(p for p in people if after[(p.id, 1)] != after[(mover.id, 1)])
    with page.expect_navigation():
        page.locator(f"tr[data-person='{mover.id}']").drag_to(page.locator(f"tr[data-person='{other.id}']"))
    journey.check()
    assert "Swapped." in page.content()
    swapped = _seats(plan)
    assert swapped[(mover.id, 1)] == after[(other.id, 1)] and swapped[(other.id, 1)] == after[(mover.id, 1)]

    # The script is served as a file, so cop's strict CSP (no bypass here) lets it run.
    strict = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        guarded = strict.new_page()
        refused = []
        # Under the real CSP the console stays clean: no refused script, and no refused web font (issue 17).
        guarded.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
        strict_journey = Journey(guarded, live_server, "seating-drag-strict")
        strict_journey.check = lambda: None  # no axe here: the CSP is not bypassed, so it cannot be injected
        strict_journey.sign_in("fran@example.org", "correct horse battery")
        strict_journey.to_event(group.name, "Spring Big Room")
        strict_journey.follow("Seating plan")
        assert guarded.locator(".cop-drag-hint").is_visible()
        assert guarded.locator("tr[data-person][draggable='true']").count() == len(people)
        assert refused == []
    finally:
        strict.close()
