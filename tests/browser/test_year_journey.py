"""The year of themes in real Chromium (issue 22): the organiser plans the year from the home page by links (a
theme dragged onto a month, and the same form by its selects), opens suggestions; a member reads the public year,
suggests and votes, and filters My calendar by theme; the organiser adopts the best-voted suggestion. Every page is
checked with axe-core, and the drag's result is read back from the database, not the page."""
from datetime import datetime

import pytest
from sqlalchemy import select

from cop.events.models import Theme
from cop.extensions import db
from cop.programme import suggestions, year
from tests import factories
from tests.browser.conftest import VIEWPORTS, Journey

FRAILTY = "Eiddilwch / Frailty"
INEQUALITIES = "Anghydraddoldebau iechyd"
LONELINESS = "Unigrwydd / Loneliness"


def _theme(name: str) -> Theme:
    db.session.expire_all()
    return db.session.execute(select(Theme).where(Theme.name == name)).scalar_one()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_organiser_plans_the_year_and_a_member_suggests_votes_and_filters_by_theme(journey, browser, live_server):
    group = factories.community(slug="gwent", name="Rhwydwaith Iechyd Gwent")
    organiser = factories.member(group, "organiser", factories.person(name="Siân Llewelyn", email="sian@example.org"))
    factories.account(organiser, password="correct horse battery")
    member = factories.member(group, someone=factories.person(name="Zoë Øvergaard", email="zoe@example.org"))
    factories.account(member, password="battery staple horse")
    neighbour = factories.member(group, someone=factories.person(name="Nguyễn Thị Lan"))
    first = year.this_month()
    months = [year.add_months(first, n) for n in range(12)]
    frail_evening = factories.event(group, title="Noson eiddilwch", starts_at=datetime.combine(
        months[1].replace(day=10), datetime.min.time()).replace(hour=18))
    other_evening = factories.event(group, title="Noson y Cymoedd", starts_at=datetime.combine(
        months[2].replace(day=12), datetime.min.time()).replace(hour=18))
    for evening in (frail_evening, other_evening):
        factories.invitation(evening, member, answer="yes", place="confirmed")
    db.session.flush()
    year.add_theme(group, FRAILTY, months[1], "Byw’n dda gydag eiddilwch: o’r drws ffrynt i’r ward.")
    suggestions.set_open(group, True)
    suggestions.suggest(group, neighbour, LONELINESS, "Unigrwydd ymhlith pobl hŷn – and who notices it.")
    suggestions.set_open(group, False)
    db.session.commit()
    page = journey.page

    # The organiser: home, the community, its year, "Plan the year".
    journey.sign_in("sian@example.org", "correct horse battery")
    journey.to_community(group.name)
    journey.follow(f"The year in {group.name}", "Plan the year")
    page.fill("#name", INEQUALITIES)
    page.fill("#description", "Anghydraddoldebau iechyd yng Nghymoedd Gwent: pwy sy’n colli allan, a pham?")
    page.click("button:has-text('Add the theme')")
    journey.check()
    assert f"“{INEQUALITIES}” is in the year." in page.content() and _theme(INEQUALITIES).month is None

    # Dragged from "Not placed yet" onto the third month: the same form sent, the theme saved in that month.
    assert page.locator(".cop-drag-hint").is_visible()
    chip = page.locator(f".cop-theme-chip[data-theme='{_theme(INEQUALITIES).id}']")
    assert chip.get_attribute("draggable") == "true"
    with page.expect_navigation():
        chip.drag_to(page.locator(f".cop-month-slot[data-month='{months[2].isoformat()}'] h3"))
    journey.check()
    assert f"“{INEQUALITIES}”: {months[2]:%B %Y}." in page.content()
    assert _theme(INEQUALITIES).month == months[2]
    assert page.locator(f".cop-month-slot[data-month='{months[2].isoformat()}'] .cop-theme-chip").inner_text() \
        == INEQUALITIES
    # Frailty dragged to another month and then, by the selects alone (no dragging), back where it was.
    with page.expect_navigation():
        page.locator(f".cop-theme-chip[data-theme='{_theme(FRAILTY).id}']").drag_to(
            page.locator(f".cop-month-slot[data-month='{months[4].isoformat()}']"))
    journey.check()
    assert _theme(FRAILTY).month == months[4]
    page.select_option("#place-theme", label=FRAILTY)
    page.select_option("#place-month", label=f"{months[1]:%B %Y}")
    page.click("button:has-text('Move the theme')")
    journey.check()
    assert _theme(FRAILTY).month == months[1]
    # An event's theme, and suggestions opened to the members.
    page.select_option("#event", str(frail_evening.id))
    page.select_option("#theme", label=FRAILTY)
    page.click("button:has-text(\"Save the event's theme\")")
    journey.check()
    assert f"Noson eiddilwch: theme {FRAILTY}." in page.content()
    journey.follow("Themes suggested by members")
    page.click("button:has-text('Open suggestions and votes to members')")
    journey.check()
    assert "Members can suggest themes and vote now." in page.content()

    # The member, in a browser of their own: the public year, a suggestion, a vote, My calendar by theme.
    context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True)
    try:
        theirs = Journey(context.new_page(), live_server, "year-journey-member")
        mine = theirs.page
        theirs.sign_in("zoe@example.org", "battery staple horse")
        theirs.to_community(group.name)
        theirs.follow(f"The year in {group.name}")
        year_table = mine.locator("table").inner_text()
        assert FRAILTY in year_table and INEQUALITIES in year_table and "o’r drws ffrynt" in year_table
        assert mine.get_by_role("link", name="Plan the year").count() == 0
        theirs.follow("Themes suggested by members")
        mine.fill("#title", "Iechyd meddwl / Mental health")
        mine.fill("#description", "Lles meddyliol staff a chleifion – Łódź to Ystradgynlais.")
        mine.click("button:has-text('Suggest the theme')")
        theirs.check()
        assert "Thank you: “Iechyd meddwl / Mental health” is suggested." in mine.content()
        assert mine.get_by_role("button", name="Vote for Iechyd meddwl / Mental health").count() == 0  # not my own
        mine.get_by_role("button", name=f"Vote for {LONELINESS}").click()
        theirs.check()
        assert f"You voted for “{LONELINESS}”." in mine.content()
        theirs.follow("My calendar")
        assert "Noson eiddilwch" in mine.content() and "Noson y Cymoedd" in mine.content()
        mine.select_option("#theme", label=FRAILTY)
        mine.click("button:has-text('Show')")
        theirs.check()
        coming_up = mine.locator("#coming-up").inner_text()
        assert "Noson eiddilwch" in coming_up and "Noson y Cymoedd" not in coming_up
        assert theirs.violations == [], "accessibility violations:\n" + "\n".join(theirs.violations)
    finally:
        context.close()

    # The organiser sees the votes and adopts the best-voted suggestion into a month.
    page.reload()
    journey.check()
    first_card = page.locator(".cop-suggestions > li").first.inner_text()
    assert LONELINESS in first_card and "1 vote" in first_card
    page.select_option(f"#month-{suggestions.ranked(group, organiser)[0].suggestion.id}",
                       label=f"{months[3]:%B %Y}")
    page.locator(".cop-suggestions > li").first.get_by_role("button", name="Adopt into the year").click()
    page.wait_for_load_state()
    journey.check()
    assert f"“{LONELINESS}” is in the year." in page.content() and _theme(LONELINESS).month == months[3]
    journey.follow("Back to the year")
    assert LONELINESS in page.locator("table").inner_text()

    # The script is a file from cop itself, so cop's own CSP (not bypassed here) lets it run: the board is draggable.
    strict = browser.new_context(viewport=VIEWPORTS["desktop"])
    try:
        guarded = Journey(strict.new_page(), live_server, "year-drag-strict")
        guarded.check = lambda: None  # no axe here: the CSP is not bypassed, so it cannot be injected
        guarded.sign_in("sian@example.org", "correct horse battery")
        guarded.to_community(group.name)
        guarded.follow(f"The year in {group.name}", "Plan the year")
        assert guarded.page.locator(".cop-drag-hint").is_visible()
        assert guarded.page.locator(".cop-theme-chip[draggable='true']").count() == 3
        assert guarded.violations == []  # no console error: no refused script
    finally:
        strict.close()


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_a_phone_the_organiser_moves_a_theme_with_the_selects(journey, viewport):
    """Touch screens do not drag HTML5 items: the board fits a 390 px phone and the selects move the theme."""
    group = factories.community(slug="gwent", name="Rhwydwaith Iechyd Gwent")
    organiser = factories.member(group, "organiser", factories.person(name="Siân Llewelyn", email="sian@example.org"))
    factories.account(organiser, password="correct horse battery")
    db.session.flush()
    months = [year.add_months(year.this_month(), n) for n in range(12)]
    year.add_theme(group, INEQUALITIES, None, "Anghydraddoldebau iechyd yng Nghymoedd Gwent – Łódź i Ystradgynlais.")
    db.session.commit()
    page = journey.page

    journey.sign_in("sian@example.org", "correct horse battery")
    journey.to_community(group.name)
    journey.follow(f"The year in {group.name}", "Plan the year")
    page.select_option("#place-theme", label=INEQUALITIES)
    page.select_option("#place-month", label=f"{months[6]:%B %Y}")
    page.click("button:has-text('Move the theme')")
    journey.check()
    assert _theme(INEQUALITIES).month == months[6]
    slot = page.locator(f".cop-month-slot[data-month='{months[6].isoformat()}']")
    assert slot.locator(".cop-theme-chip").inner_text() == INEQUALITIES
